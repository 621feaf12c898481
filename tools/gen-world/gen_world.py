#!/usr/bin/env python3
"""Generate a large, deterministic synthetic iamwhy world for load-time and query-time measurements.

Standard library only (Python 3.11). Same arguments -> byte-identical output.
See tools/gen-world/README.md.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import ipaddress
import json
import os
import random
import re
import sys
import time
import urllib.parse

ACCOUNT = "123456789012"
MGMT_ACCOUNT = "999999999999"
SANDBOX_ACCOUNT = "345678901234"  # in the org (Sandbox OU); no authorization details of its own
OUTSIDE_ACCOUNT = "444455556666"  # not in the org: the RCP denies its S3 access
ORG_ID = "o-a1b2c3d4e5"
ROOT_ID = "r-ab12"
OU_WORKLOADS = "ou-ab12-11111111"
OU_SANDBOX = "ou-ab12-22222222"
ALLOWED_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]  # the SCP region lock
BENCH_SESSION = "bench"
VERSION = "2012-10-17"

TEAMS = [
    "payments", "checkout", "search", "identity", "data", "ml", "platform", "web", "mobile", "analytics",
    "billing", "growth", "security", "infra", "messaging", "catalog", "fulfillment", "support", "risk", "media",
]
PROJECTS = [
    "api", "worker", "etl", "ingest", "frontend", "reports", "scheduler", "gateway", "notifier", "indexer",
    "exporter", "ledger", "sync", "backfill", "audit", "stream", "search", "cache", "router", "ranker",
]
ENVS = ["prod", "staging", "dev"]
STACK_REGIONS = [("us-east-1", 64), ("eu-west-1", 22), ("us-west-2", 10), ("ap-southeast-2", 4)]
FIRST_NAMES = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
    "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yasmin", "zoe", "amir", "bea", "chen",
    "dmitri", "eva", "farah", "goran", "hana", "ines", "jonas", "kenji", "lena", "marek", "nora", "omar",
    "priya", "quinn", "rosa", "sven", "tariq", "uma", "vera", "wei", "xavier", "yuki", "zainab",
]
LAST_NAMES = [
    "smith", "garcia", "mueller", "rossi", "kowalski", "nguyen", "tanaka", "okafor", "silva", "johansson",
    "dubois", "novak", "haddad", "kim", "singh", "martin", "fischer", "costa", "ivanova", "berg", "park",
    "lopez", "walsh", "moreau", "sato", "ali", "cohen", "murphy", "jensen", "popescu",
]

# --------------------------------------------------------------------------------------------------
# Service table: ~33 services, real action names (checked against the embedded catalog by
# check_catalog.py). Each resource type: (service, type, ARN template, tail, id kind, actions).
# Template fields: {region} {account} {base} (team-project-env) {us} (team_project_env)
# {path} (team/project/env) {id} (a per-stack generated id) {tail} (a fixed concrete suffix).
# Patterns render the same template with wildcards / policy variables in those fields.
# --------------------------------------------------------------------------------------------------
RESOURCE_TYPES = [
    ("s3", "bucket", "arn:aws:s3:::acme-{base}", None, None,
     ["ListBucket", "GetBucketLocation", "GetBucketPolicy", "GetBucketTagging", "ListBucketVersions",
      "PutBucketVersioning", "GetBucketVersioning", "PutBucketTagging"]),
    ("s3", "object", "arn:aws:s3:::acme-{base}/{tail}", "reports/2024/06/part-0001.json", None,
     ["GetObject", "PutObject", "DeleteObject", "GetObjectVersion", "GetObjectTagging", "PutObjectTagging",
      "AbortMultipartUpload", "RestoreObject"]),
    ("dynamodb", "table", "arn:aws:dynamodb:{region}:{account}:table/{base}", None, None,
     ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
      "DescribeTable", "ConditionCheckItem"]),
    ("dynamodb", "index", "arn:aws:dynamodb:{region}:{account}:table/{base}/index/{tail}", "by-owner", None,
     ["Query", "Scan"]),
    ("kms", "key", "arn:aws:kms:{region}:{account}:key/{id}", None, "uuid",
     ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "DescribeKey", "ReEncryptFrom",
      "ReEncryptTo", "CreateGrant"]),
    ("kms", "alias", "arn:aws:kms:{region}:{account}:alias/{base}", None, None, ["CreateAlias", "DeleteAlias"]),
    ("sqs", "queue", "arn:aws:sqs:{region}:{account}:{base}", None, None,
     ["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
      "ChangeMessageVisibility", "PurgeQueue", "SetQueueAttributes"]),
    ("sns", "topic", "arn:aws:sns:{region}:{account}:{base}", None, None,
     ["Publish", "Subscribe", "GetTopicAttributes", "SetTopicAttributes", "CreateTopic", "DeleteTopic"]),
    ("lambda", "function", "arn:aws:lambda:{region}:{account}:function:{base}", None, None,
     ["InvokeFunction", "GetFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration",
      "GetFunctionConfiguration", "DeleteFunction", "PublishVersion", "AddPermission"]),
    ("logs", "log-group", "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{base}", None, None,
     ["CreateLogGroup", "PutRetentionPolicy", "FilterLogEvents", "DeleteLogGroup"]),
    ("logs", "log-stream", "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{base}:log-stream:{tail}",
     "2024/06/01/app-0001", None, ["CreateLogStream", "PutLogEvents", "GetLogEvents"]),
    ("cloudwatch", "alarm", "arn:aws:cloudwatch:{region}:{account}:alarm:{base}", None, None,
     ["PutMetricAlarm", "DescribeAlarmHistory", "DeleteAlarms", "EnableAlarmActions", "DisableAlarmActions"]),
    ("iam", "role", "arn:aws:iam::{account}:role/{base}", None, None,
     ["PassRole", "GetRole", "TagRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "AttachRolePolicy"]),
    ("iam", "user", "arn:aws:iam::{account}:user/{base}", None, None,
     ["GetUser", "ListAccessKeys", "CreateAccessKey", "ChangePassword"]),
    ("iam", "policy", "arn:aws:iam::{account}:policy/{base}", None, None,
     ["GetPolicy", "GetPolicyVersion", "ListPolicyVersions"]),
    ("sts", "role", "arn:aws:iam::{account}:role/{base}", None, None, ["AssumeRole", "TagSession"]),
    ("ec2", "instance", "arn:aws:ec2:{region}:{account}:instance/{id}", None, "ec2-instance",
     ["StartInstances", "StopInstances", "RebootInstances", "TerminateInstances", "GetConsoleOutput"]),
    ("ec2", "volume", "arn:aws:ec2:{region}:{account}:volume/{id}", None, "ec2-volume",
     ["AttachVolume", "DetachVolume", "CreateSnapshot", "DeleteVolume"]),
    ("ec2", "security-group", "arn:aws:ec2:{region}:{account}:security-group/{id}", None, "ec2-sg",
     ["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"]),
    ("secretsmanager", "secret", "arn:aws:secretsmanager:{region}:{account}:secret:{path}db-{tail}", "@id",
     "secret-suffix", ["GetSecretValue", "DescribeSecret", "PutSecretValue", "UpdateSecret", "RotateSecret"]),
    ("ssm", "parameter", "arn:aws:ssm:{region}:{account}:parameter/{path}{tail}", "config", None,
     ["GetParameter", "GetParameters", "GetParametersByPath", "PutParameter", "DeleteParameter"]),
    ("ecr", "repository", "arn:aws:ecr:{region}:{account}:repository/{base}", None, None,
     ["BatchGetImage", "GetDownloadUrlForLayer", "PutImage", "InitiateLayerUpload", "UploadLayerPart",
      "CompleteLayerUpload", "BatchCheckLayerAvailability", "DescribeImages", "DescribeRepositories", "ListImages"]),
    ("ecs", "cluster", "arn:aws:ecs:{region}:{account}:cluster/{base}", None, None,
     ["DescribeClusters", "ListContainerInstances", "UpdateCluster"]),
    ("ecs", "service", "arn:aws:ecs:{region}:{account}:service/{base}/{tail}", "api", None,
     ["UpdateService", "DescribeServices"]),
    ("eks", "cluster", "arn:aws:eks:{region}:{account}:cluster/{base}", None, None,
     ["DescribeCluster", "AccessKubernetesApi", "UpdateClusterConfig", "ListNodegroups"]),
    ("rds", "db", "arn:aws:rds:{region}:{account}:db:{base}", None, None,
     ["RebootDBInstance", "CreateDBSnapshot", "StartDBInstance", "StopDBInstance", "DeleteDBInstance"]),
    ("rds-db", "db-user", "arn:aws:rds-db:{region}:{account}:dbuser:{id}/{tail}", "app_user", "rds-resource-id",
     ["connect"]),
    ("kinesis", "stream", "arn:aws:kinesis:{region}:{account}:stream/{base}", None, None,
     ["PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "DescribeStream", "DescribeStreamSummary",
      "ListShards", "DeleteStream"]),
    ("firehose", "deliverystream", "arn:aws:firehose:{region}:{account}:deliverystream/{base}", None, None,
     ["PutRecord", "PutRecordBatch", "DescribeDeliveryStream"]),
    ("states", "stateMachine", "arn:aws:states:{region}:{account}:stateMachine:{base}", None, None,
     ["StartExecution", "DescribeStateMachine", "StartSyncExecution", "ListExecutions"]),
    ("states", "execution", "arn:aws:states:{region}:{account}:execution:{base}:{tail}", "run-0001", None,
     ["DescribeExecution", "StopExecution", "GetExecutionHistory"]),
    ("events", "rule", "arn:aws:events:{region}:{account}:rule/{base}", None, None,
     ["PutRule", "PutTargets", "DescribeRule", "EnableRule", "DisableRule", "RemoveTargets"]),
    ("events", "event-bus", "arn:aws:events:{region}:{account}:event-bus/{base}", None, None, ["PutEvents"]),
    ("glue", "catalog", "arn:aws:glue:{region}:{account}:catalog", None, None, ["GetDatabases"]),
    ("glue", "database", "arn:aws:glue:{region}:{account}:database/{us}", None, None, ["GetDatabase", "GetTables"]),
    ("glue", "table", "arn:aws:glue:{region}:{account}:table/{us}/{tail}", "events", None,
     ["GetTable", "GetPartitions", "BatchCreatePartition", "UpdateTable"]),
    ("athena", "workgroup", "arn:aws:athena:{region}:{account}:workgroup/{base}", None, None,
     ["StartQueryExecution", "GetQueryExecution", "GetQueryResults", "StopQueryExecution", "GetWorkGroup"]),
    ("cloudformation", "stack", "arn:aws:cloudformation:{region}:{account}:stack/{base}/{tail}", "@id", "uuid",
     ["DescribeStacks", "CreateStack", "UpdateStack", "DeleteStack", "DescribeStackEvents",
      "DescribeStackResources"]),
    ("elasticloadbalancing", "loadbalancer/app/",
     "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{base}/{tail}", "@id", "hex16",
     ["ModifyLoadBalancerAttributes", "DeleteLoadBalancer", "SetSecurityGroups"]),
    ("elasticloadbalancing", "targetgroup",
     "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{base}/{tail}", "@id", "hex16",
     ["RegisterTargets", "DeregisterTargets", "ModifyTargetGroup"]),
    ("autoscaling", "autoScalingGroup",
     "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{tail}:autoScalingGroupName/{base}", "@id", "uuid",
     ["SetDesiredCapacity", "UpdateAutoScalingGroup", "TerminateInstanceInAutoScalingGroup"]),
    ("execute-api", "execute-api-general", "arn:aws:execute-api:{region}:{account}:{id}/prod/GET/{tail}",
     "orders", "apigw-id", ["Invoke"]),
    ("codebuild", "project", "arn:aws:codebuild:{region}:{account}:project/{base}", None, None,
     ["StartBuild", "BatchGetBuilds", "StopBuild", "BatchGetProjects"]),
    ("route53", "hostedzone", "arn:aws:route53:::hostedzone/{id}", None, "route53-zone",
     ["ChangeResourceRecordSets", "ListResourceRecordSets", "GetHostedZone"]),
    ("cloudfront", "distribution", "arn:aws:cloudfront::{account}:distribution/{id}", None, "cloudfront-id",
     ["CreateInvalidation", "GetDistribution", "GetInvalidation"]),
    ("sagemaker", "endpoint", "arn:aws:sagemaker:{region}:{account}:endpoint/{base}", None, None,
     ["InvokeEndpoint", "DescribeEndpoint"]),
    ("es", "domain", "arn:aws:es:{region}:{account}:domain/{base}", None, None,
     ["ESHttpGet", "ESHttpPost", "ESHttpPut", "DescribeDomain"]),
]

# Wildcard-only actions (Resource "*"), per service.
STAR_ACTIONS = {
    "s3": ["ListAllMyBuckets", "GetAccountPublicAccessBlock"],
    "dynamodb": ["ListTables", "DescribeLimits"],
    "kms": ["ListKeys", "ListAliases", "CreateKey"],
    "sqs": ["ListQueues"],
    "sns": ["ListTopics", "ListSubscriptions"],
    "lambda": ["ListFunctions", "ListEventSourceMappings", "GetAccountSettings"],
    "logs": ["DescribeLogGroups"],
    "cloudwatch": ["PutMetricData", "GetMetricData", "ListMetrics", "GetMetricStatistics", "DescribeAlarms"],
    "iam": ["ListRoles", "ListUsers", "ListPolicies", "GetAccountSummary", "GetAccountPasswordPolicy"],
    "sts": ["GetCallerIdentity"],
    "ec2": ["DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups", "DescribeSubnets", "DescribeVpcs",
            "DescribeImages", "DescribeTags"],
    "secretsmanager": ["ListSecrets", "GetRandomPassword"],
    "ssm": ["DescribeParameters"],
    "ecr": ["GetAuthorizationToken"],
    "ecs": ["ListClusters", "ListServices", "DescribeTaskDefinition", "ListTaskDefinitions"],
    "eks": ["ListClusters"],
    "rds": ["DescribeDBEngineVersions"],
    "kinesis": ["ListStreams"],
    "firehose": ["ListDeliveryStreams"],
    "states": ["ListStateMachines"],
    "events": ["ListRules"],
    "athena": ["ListWorkGroups"],
    "cloudformation": ["ValidateTemplate", "ListStacks"],
    "elasticloadbalancing": ["DescribeLoadBalancers", "DescribeTargetGroups", "DescribeTargetHealth"],
    "autoscaling": ["DescribeAutoScalingGroups", "DescribeScalingActivities"],
    "xray": ["PutTraceSegments", "PutTelemetryRecords", "GetSamplingRules", "GetSamplingTargets"],
    "codebuild": ["ListProjects"],
    "route53": ["ListHostedZones"],
    "cloudfront": ["ListDistributions"],
    "sagemaker": ["ListEndpoints"],
}

SERVICE_WEIGHTS = {
    "s3": 14, "dynamodb": 10, "sqs": 7, "sns": 5, "lambda": 7, "logs": 6, "kms": 6, "cloudwatch": 4, "iam": 3,
    "sts": 2, "ec2": 5, "secretsmanager": 4, "ssm": 4, "ecr": 3, "ecs": 3, "eks": 2, "rds": 2, "rds-db": 1,
    "kinesis": 2, "firehose": 1, "states": 2, "events": 2, "glue": 2, "athena": 2, "cloudformation": 2,
    "elasticloadbalancing": 1, "autoscaling": 1, "execute-api": 1, "xray": 2, "codebuild": 1, "route53": 1,
    "cloudfront": 1, "sagemaker": 1, "es": 1,
}

DESTRUCTIVE = [
    "s3:DeleteBucket", "dynamodb:DeleteTable", "kms:ScheduleKeyDeletion", "rds:DeleteDBInstance",
    "ec2:TerminateInstances", "lambda:DeleteFunction", "sqs:DeleteQueue", "sns:DeleteTopic", "logs:DeleteLogGroup",
    "secretsmanager:DeleteSecret", "cloudformation:DeleteStack", "ecr:DeleteRepository", "kinesis:DeleteStream",
]
IAM_ESCALATION = [
    "iam:CreateUser", "iam:CreateAccessKey", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:AttachUserPolicy",
    "iam:PutUserPolicy", "iam:UpdateAssumeRolePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
]
CORP_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"]
PATTERN_WEIGHTS = [35, 25, 15, 10, 15]  # exact, team-project-*, team-*, ${aws:PrincipalTag/team}-*, *

# Service-linked roles: (service principal, role name, AWS managed policy under arn:aws:iam::aws:policy/).
SERVICE_LINKED = [
    ("ecs.amazonaws.com", "AWSServiceRoleForECS", "aws-service-role/AmazonECSServiceRolePolicy"),
    ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "aws-service-role/AutoScalingServiceRolePolicy"),
    ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing",
     "aws-service-role/AWSElasticLoadBalancingServiceRolePolicy"),
    ("rds.amazonaws.com", "AWSServiceRoleForRDS", "aws-service-role/AmazonRDSServiceRolePolicy"),
    ("support.amazonaws.com", "AWSServiceRoleForSupport", "aws-service-role/AWSSupportServiceRolePolicy"),
    ("trustedadvisor.amazonaws.com", "AWSServiceRoleForTrustedAdvisor",
     "aws-service-role/AWSTrustedAdvisorServiceRolePolicy"),
    ("ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM", "aws-service-role/AmazonSSMServiceRolePolicy"),
    ("organizations.amazonaws.com", "AWSServiceRoleForOrganizations",
     "aws-service-role/AWSOrganizationsServiceTrustPolicy"),
    ("eks.amazonaws.com", "AWSServiceRoleForAmazonEKS", "aws-service-role/AmazonEKSServiceRolePolicy"),
    ("events.amazonaws.com", "AWSServiceRoleForCloudWatchEvents", "aws-service-role/CloudWatchEventsServiceRolePolicy"),
]
# AWS managed policies some ordinary roles attach when --aws-managed is given: (name under policy/, role kinds).
AWS_MANAGED_COMMON = [
    ("service-role/AWSLambdaBasicExecutionRole", {"lambda"}),
    ("AmazonSSMManagedInstanceCore", {"ec2"}),
    ("CloudWatchAgentServerPolicy", {"ec2"}),
    ("service-role/AmazonECSTaskExecutionRolePolicy", {"ecs-task"}),
    ("AWSXRayDaemonWriteAccess", {"lambda", "ecs-task", "ec2"}),
    ("AmazonS3ReadOnlyAccess", {"ops", "ci-deploy", "glue"}),
    ("ReadOnlyAccess", {"ops", "sso"}),
]

ROLE_KINDS = [
    ("lambda", 24), ("ecs-task", 16), ("ec2", 10), ("glue", 4), ("codebuild", 4), ("states", 4), ("ci-deploy", 8),
    ("ops", 8), ("cross-account", 5), ("github-actions", 7), ("eks-irsa", 10),
]
SERVICE_TRUST = {
    "lambda": "lambda.amazonaws.com", "ecs-task": "ecs-tasks.amazonaws.com", "ec2": "ec2.amazonaws.com",
    "glue": "glue.amazonaws.com", "codebuild": "codebuild.amazonaws.com", "states": "states.amazonaws.com",
}


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------
class Ids:
    """Unique IAM-style ids (AROA..., AIDA..., AGPA..., ANPA..., AIPA...): prefix + 17 base32 chars."""

    ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[str] = set()

    def new(self, prefix: str) -> str:
        while True:
            s = prefix + "".join(self.rng.choice(self.ALPHABET) for _ in range(17))
            if s not in self.seen:
                self.seen.add(s)
                return s


BASE_DATE = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)


def iso(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def rand_date(rng: random.Random, after: dt.datetime | None = None, span_days: int = 2000) -> dt.datetime:
    start = after or BASE_DATE
    return start + dt.timedelta(seconds=rng.randrange(60, span_days * 86400))


def wchoice(rng: random.Random, pairs):
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights=weights, k=1)[0]


def one_or_list(rng: random.Random, values: list, p_scalar: float = 0.6):
    if len(values) == 1 and rng.random() < p_scalar:
        return values[0]
    return values


def gen_id(rng: random.Random, kind: str) -> str:
    hexd = "0123456789abcdef"
    if kind == "uuid":
        h = "".join(rng.choice(hexd) for _ in range(32))
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
    if kind == "ec2-instance":
        return "i-" + "".join(rng.choice(hexd) for _ in range(17))
    if kind == "ec2-volume":
        return "vol-" + "".join(rng.choice(hexd) for _ in range(17))
    if kind == "ec2-sg":
        return "sg-" + "".join(rng.choice(hexd) for _ in range(17))
    if kind == "hex16":
        return "".join(rng.choice(hexd) for _ in range(16))
    if kind == "secret-suffix":
        return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for _ in range(6))
    if kind == "rds-resource-id":
        return "db-" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(26))
    if kind == "apigw-id":
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    if kind == "route53-zone":
        return "Z" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))
    if kind == "cloudfront-id":
        return "E" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------------
# The world model
# --------------------------------------------------------------------------------------------------
class Stack:
    """A team/project/env with one resource of every type (the concrete inventory)."""

    def __init__(self, rng: random.Random, team: str, project: str, env: str):
        self.team, self.project, self.env = team, project, env
        self.region = wchoice(rng, STACK_REGIONS)
        self.base = f"{team}-{project}-{env}"
        self.us = f"{team}_{project}_{env}"
        self.path = f"{team}/{project}/{env}/"
        self.ids = {}
        self.real = {}  # (service, type) -> ARN of a real generated entity (roles, users, policies)
        for rt in RESOURCE_TYPES:
            if rt[4]:
                self.ids[(rt[0], rt[1])] = gen_id(rng, rt[4])

    def concrete(self, rt, region: str | None = None) -> str:
        svc, typ, tmpl, tail, idkind, _ = rt
        if (svc, typ) in self.real:
            return self.real[(svc, typ)]
        rid = self.ids.get((svc, typ), "")
        if tail == "@id":
            tail = rid
        return tmpl.format(region=region or self.region, account=ACCOUNT, base=self.base, us=self.us,
                           path=self.path, id=rid, tail=tail or "")

    def pattern(self, rt, variant: int, region: str, account: str = ACCOUNT) -> str:
        svc, typ, tmpl, tail, idkind, _ = rt
        t, p = self.team, self.project
        base = [self.base, f"{t}-{p}-*", f"{t}-*", "${aws:PrincipalTag/team}-*", "*"][variant]
        us = [self.us, f"{t}_{p}_*", f"{t}_*", "${aws:PrincipalTag/team}_*", "*"][variant]
        path = [self.path, f"{t}/{p}/", f"{t}/", "${aws:PrincipalTag/team}/", ""][variant]
        rid = self.ids.get((svc, typ), "") if variant == 0 else "*"
        ptail = "" if tail is None else "*"
        if variant > 0 and "{path}" in tmpl:  # a path prefix covers everything below it
            tmpl = tmpl.split("{path}")[0] + "{path}*"
        s = tmpl.format(region=region, account=account, base=base, us=us, path=path, id=rid, tail=ptail)
        return s.replace("**", "*")


class World:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.ids = Ids(random.Random(args.seed * 7919 + 1))
        self.by_service: dict[str, list] = {}
        for rt in RESOURCE_TYPES:
            self.by_service.setdefault(rt[0], []).append(rt)
        self.services = sorted(SERVICE_WEIGHTS)
        self.service_weights = [SERVICE_WEIGHTS[s] for s in self.services]
        # Stacks: every team gets 3 projects, every project 3 envs.
        self.stacks: list[Stack] = []
        self.team_projects: dict[str, list[str]] = {}
        for team in TEAMS:
            projects = self.rng.sample(PROJECTS, 3)
            self.team_projects[team] = projects
            for project in projects:
                for env in ENVS:
                    self.stacks.append(Stack(self.rng, team, project, env))
        self.stack_index = {(s.team, s.project, s.env): s for s in self.stacks}
        # Policies: arn -> record
        self.policies: list[dict] = []  # in output order
        self.policy_by_arn: dict[str, dict] = {}
        self.boundaries: list[dict] = []
        self.shared: dict[str, dict] = {}
        self.team_policies: dict[str, list[dict]] = {t: [] for t in TEAMS}
        self.roles: list[dict] = []
        self.users: list[dict] = []
        self.groups: list[dict] = []
        self.group_by_name: dict[str, dict] = {}
        self.resource_policies: list[dict] = []
        self.resource_tags: list[dict] = []  # entries of resource-policies.json without a policy
        self.aws_managed: dict[str, dict] = {}
        self.doc_forms = {"object": 0, "url-encoded": 0, "json-string": 0}

    # ---------------------------------------------------------------- documents
    def render_doc(self, doc: dict, rng: random.Random, p_url: float = 0.2, p_str: float = 0.03):
        """A policy document as the GAAD output may carry it: object, URL-encoded JSON, or JSON text."""
        r = rng.random()
        if r < p_url:
            self.doc_forms["url-encoded"] += 1
            text = json.dumps(doc, indent=4) if rng.random() < 0.5 else json.dumps(doc, separators=(",", ":"))
            return urllib.parse.quote(text, safe="")
        if r < p_url + p_str:
            self.doc_forms["json-string"] += 1
            return json.dumps(doc, indent=2) if rng.random() < 0.5 else json.dumps(doc)
        self.doc_forms["object"] += 1
        return doc

    # ---------------------------------------------------------------- statements
    def region_pattern(self, rng, stack: Stack) -> str:
        return stack.region if rng.random() < 0.7 else "*"

    def pick_variant(self, rng) -> int:
        return rng.choices(range(5), weights=PATTERN_WEIGHTS, k=1)[0]

    def allow_condition(self, rng, svc: str, actions: list[str], stack: Stack):
        options = [
            lambda: {"StringEquals": {"aws:RequestedRegion": rng.sample(ALLOWED_REGIONS, rng.randint(1, 3))}},
            lambda: {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            lambda: {"StringEquals": {"aws:ResourceTag/env": stack.env}},
            lambda: {"IpAddress": {"aws:SourceIp": rng.sample(CORP_CIDRS, rng.randint(1, 3))}},
            lambda: {"Bool": {"aws:SecureTransport": "true"}},
            lambda: {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            lambda: {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
            lambda: {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/team-{stack.team}/*"}},
            lambda: {"DateLessThan": {"aws:CurrentTime": "2030-12-31T23:59:59Z"}},
            lambda: {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
            lambda: {"Null": {"aws:ResourceTag/team": "false"}},
        ]
        specific = []
        acts = " ".join(actions)
        if svc == "s3" and "ListBucket" in acts:
            specific.append(lambda: {"StringLike": {"s3:prefix": [f"{stack.team}/*", "shared/*", ""]}})
        if svc == "s3" and "PutObject" in acts:
            specific.append(lambda: {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}})
        if svc == "kms":
            specific.append(lambda: {"StringEquals": {"kms:ViaService": [f"s3.{stack.region}.amazonaws.com",
                                                                          f"dynamodb.{stack.region}.amazonaws.com"]}})
        if svc == "iam" and "PassRole" in acts:
            specific.append(lambda: {"StringEquals": {"iam:PassedToService": rng.sample(
                ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "states.amazonaws.com", "glue.amazonaws.com"],
                rng.randint(1, 2))}})
        if svc == "dynamodb":
            specific.append(lambda: {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/team}#*"]}})
        if svc == "ec2":
            specific.append(lambda: {"StringEquals": {"ec2:ResourceTag/team": "${aws:PrincipalTag/team}"}})
        if svc == "sqs" or svc == "sns":
            specific.append(lambda: {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}})
        if specific and rng.random() < 0.5:
            return rng.choice(specific)()
        cond = rng.choice(options)()
        if rng.random() < 0.15:  # a second operator
            extra = rng.choice(options)()
            for op, block in extra.items():
                if op not in cond:
                    cond[op] = block
        return cond

    def allow_statement(self, rng, stack: Stack) -> dict:
        svc = rng.choices(self.services, weights=self.service_weights, k=1)[0]
        types = self.by_service.get(svc, [])
        star = STAR_ACTIONS.get(svc, [])
        region = self.region_pattern(rng, stack)
        variant = self.pick_variant(rng)
        account = ACCOUNT if rng.random() < 0.95 else "*"
        mode = rng.random()
        verbs = sorted({m.group(0) for rt in types for a in rt[5] for m in [re.match(r"[A-Z][a-z]+", a)] if m})
        if not types:
            mode = 0.8  # star-only service (xray)
        elif 0.55 <= mode < 0.75 and not verbs:
            mode = 0.0  # no verb to wildcard (rds-db:connect)
        if mode < 0.55:
            chosen = rng.sample(types, 2 if len(types) > 1 and rng.random() < 0.3 else 1)
            actions, resources = [], []
            for rt in chosen:
                acts = rng.sample(rt[5], rng.randint(1, min(5, len(rt[5]))))
                actions += [f"{svc}:{a}" for a in acts if f"{svc}:{a}" not in actions]
                resources.append(stack.pattern(rt, variant, region, account))
        elif mode < 0.75:
            verb = rng.choice(verbs)
            actions = [f"{svc}:{verb}*"]
            if rng.random() < 0.4:
                v2 = rng.choice(verbs)
                if v2 != verb:
                    actions.append(f"{svc}:{v2}*")
            matching = [rt for rt in types if any(a.startswith(x.split(":")[1][:-1]) for x in actions for a in rt[5])]
            resources = [stack.pattern(rt, variant, region, account) for rt in matching] or ["*"]
        elif mode < 0.9:
            pool = star or [a for rt in types for a in rt[5]]
            actions = [f"{svc}:{a}" for a in rng.sample(pool, rng.randint(1, min(4, len(pool))))]
            resources = ["*"]
        else:
            actions = [f"{svc}:*"]
            chosen = rng.sample(types, min(len(types), rng.randint(1, 3)))
            resources = [stack.pattern(rt, variant, region, account) for rt in chosen]
        resources = list(dict.fromkeys(resources))
        stmt = {"Effect": "Allow", "Action": one_or_list(rng, actions), "Resource": one_or_list(rng, resources)}
        if rng.random() < 0.2:
            stmt["Condition"] = self.allow_condition(rng, svc, actions, stack)
        return stmt

    def deny_statement(self, rng, stack: Stack) -> dict:
        kind = rng.choices(range(8), weights=[22, 12, 12, 8, 16, 12, 8, 10], k=1)[0]
        t = stack.team
        if kind == 0:
            stmt = {"Effect": "Deny", "Action": rng.sample(DESTRUCTIVE, rng.randint(2, 6)), "Resource": "*"}
            r = rng.random()
            if r < 0.3:
                stmt["Condition"] = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
            elif r < 0.6:
                stmt["Condition"] = {"StringEquals": {"aws:ResourceTag/env": "prod"}}
        elif kind == 1:
            stmt = {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        elif kind == 2:
            svcs = rng.sample(["s3", "dynamodb", "sqs", "sns", "lambda", "ec2", "kms", "rds"], rng.randint(1, 3))
            stmt = {"Effect": "Deny", "Action": [f"{s}:*" for s in svcs], "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ALLOWED_REGIONS[:rng.randint(1, 3)]}}}
        elif kind == 3:
            stmt = {"Effect": "Deny", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "NotResource": [f"arn:aws:s3:::acme-{t}-*/*", "arn:aws:s3:::acme-shared-*/*"]}
        elif kind == 4:
            other = rng.choice(self.stacks)
            rt = rng.choice(RESOURCE_TYPES)
            stmt = {"Effect": "Deny", "Action": [f"{rt[0]}:{a}" for a in rng.sample(rt[5], min(2, len(rt[5])))],
                    "Resource": other.pattern(rt, rng.choice([0, 1]), other.region)}
        elif kind == 5:
            stmt = {"Effect": "Deny", "Action": rng.sample(IAM_ESCALATION, rng.randint(2, 5)), "Resource": "*"}
        elif kind == 6:
            stmt = {"Effect": "Deny", "Action": rng.sample(["s3:*", "dynamodb:*", "secretsmanager:*"], 2),
                    "Resource": "*",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": rng.sample(CORP_CIDRS, 2)},
                                  "BoolIfExists": {"aws:ViaAWSService": "false"}}}
        else:
            stmt = {"Effect": "Deny", "Action": ["ec2:StopInstances", "ec2:TerminateInstances", "ec2:RebootInstances"],
                    "Resource": f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
                    "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}
        return stmt

    def document(self, rng, stack: Stack, n_min: int, n_max: int, p_deny: float = 0.12) -> dict:
        n = rng.randint(n_min, n_max)
        stmts = []
        sid_prefix = rng.random() < 0.7
        for i in range(n):
            s = self.deny_statement(rng, stack) if rng.random() < p_deny else self.allow_statement(rng, stack)
            if sid_prefix:
                s = {"Sid": f"{s['Effect']}{i + 1}{rng.choice(['Read', 'Write', 'Ops', 'Data', 'Access', 'Guard'])}",
                     **s}
            stmts.append(s)
        return {"Version": VERSION, "Statement": stmts}

    # ---------------------------------------------------------------- managed policies
    def add_policy(self, name: str, path: str, default_doc: dict, other_docs: list[dict], description=None,
                   aws_managed: dict | None = None, team: str | None = None) -> dict:
        rng = self.rng
        if aws_managed is not None:
            arn = aws_managed["arn"]
        else:
            arn = f"arn:aws:iam::{ACCOUNT}:policy{path}{name}"
        created = rand_date(rng, span_days=1500)
        versions = []
        n = 1 + len(other_docs)
        if aws_managed is not None:
            latest_num = int(aws_managed["versionId"].lstrip("v") or 1)
            default_idx = 0
        else:
            latest_num = n + rng.choice([0, 0, 0, 1, 3])  # older versions may have been deleted
            default_idx = 0 if rng.random() < 0.8 or n == 1 else rng.randrange(1, n)
        docs = [default_doc] + other_docs
        # docs[0] is the default; version order: newest first, default at default_idx
        ordered = docs[1:]
        ordered.insert(default_idx, docs[0])
        when = created
        dates = []
        for _ in range(n):
            when = rand_date(rng, after=when, span_days=200)
            dates.append(when)
        dates.reverse()
        for i, d in enumerate(ordered):
            vid = f"v{latest_num - i}"
            versions.append({
                "Document": self.render_doc(d, rng) if aws_managed is None else d,
                "VersionId": vid,
                "IsDefaultVersion": i == default_idx,
                "CreateDate": iso(dates[i]),
            })
            if aws_managed is not None:
                self.doc_forms["object"] += 1
        rec = {
            "PolicyName": name,
            "PolicyId": self.ids.new("ANPA"),
            "Arn": arn,
            "Path": path,
            "DefaultVersionId": versions[default_idx]["VersionId"],
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": iso(created),
            "UpdateDate": iso(dates[0]),
            "PolicyVersionList": versions,
        }
        if description:
            rec["Description"] = description
        if aws_managed is not None:
            rec["UpdateDate"] = aws_managed.get("updated") or iso(dates[0])
        self.policies.append(rec)
        self.policy_by_arn[arn] = {"rec": rec, "doc": default_doc, "docs": docs, "team": team}
        return rec

    def mutate(self, rng, doc: dict, stack: Stack) -> dict:
        d = copy.deepcopy(doc)
        st = d["Statement"]
        if len(st) > 1 and rng.random() < 0.5:
            st.pop(rng.randrange(len(st)))
        else:
            st.append(self.allow_statement(rng, stack))
        return d

    def build_boundaries(self):
        acct = ACCOUNT
        protect = {"Sid": "ProtectBoundaries", "Effect": "Deny",
                   "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                              "iam:SetDefaultPolicyVersion"],
                   "Resource": f"arn:aws:iam::{acct}:policy/boundaries/*"}
        keep = {"Sid": "KeepBoundary", "Effect": "Deny",
                "Action": ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"], "Resource": "*"}
        docs = {
            "boundary-developer": [
                {"Sid": "AllowAppServices", "Effect": "Allow",
                 "Action": ["s3:*", "dynamodb:*", "sqs:*", "sns:*", "lambda:*", "logs:*", "cloudwatch:*", "xray:*",
                            "states:*", "events:*", "kinesis:*", "firehose:*", "athena:*", "glue:Get*", "ecr:*",
                            "ecs:*", "execute-api:Invoke", "ssm:GetParameter*", "secretsmanager:GetSecretValue",
                            "secretsmanager:DescribeSecret", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*",
                            "kms:DescribeKey", "sts:GetCallerIdentity", "ec2:Describe*"],
                 "Resource": "*"},
                {"Sid": "AllowPassTeamRoles", "Effect": "Allow", "Action": ["iam:PassRole", "iam:GetRole"],
                 "Resource": f"arn:aws:iam::{acct}:role/team-${{aws:PrincipalTag/team}}/*"},
                protect, keep],
            "boundary-service-workload": [
                {"Sid": "AllowData", "Effect": "Allow",
                 "Action": ["s3:Get*", "s3:List*", "s3:PutObject", "s3:DeleteObject", "dynamodb:*", "sqs:*",
                            "sns:Publish", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                            "kms:Decrypt", "kms:GenerateDataKey*", "xray:*", "cloudwatch:PutMetricData",
                            "ssm:GetParameter*", "secretsmanager:GetSecretValue", "lambda:InvokeFunction",
                            "states:StartExecution", "events:PutEvents", "kinesis:*", "firehose:Put*"],
                 "Resource": "*"},
                {"Sid": "DenyOutsideRegions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "s3:ListAllMyBuckets"],
                 "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ALLOWED_REGIONS}}},
                protect],
            "boundary-data-platform": [
                {"Sid": "AllowDataServices", "Effect": "Allow",
                 "Action": ["s3:*", "glue:*", "athena:*", "kinesis:*", "firehose:*", "dynamodb:*", "kms:*",
                            "logs:*", "states:*", "lambda:*", "sagemaker:*", "es:*"],
                 "Resource": "*"},
                {"Sid": "NoBucketDeletion", "Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy"],
                 "Resource": "*"},
                protect, keep],
            "boundary-readonly": [
                {"Sid": "ReadOnly", "Effect": "Allow",
                 "Action": ["s3:Get*", "s3:List*", "dynamodb:Get*", "dynamodb:Query", "dynamodb:Scan",
                            "dynamodb:Describe*", "dynamodb:List*", "ec2:Describe*", "logs:Get*", "logs:Describe*",
                            "logs:FilterLogEvents", "cloudwatch:Get*", "cloudwatch:List*", "cloudwatch:Describe*",
                            "sqs:Get*", "sqs:List*", "sns:Get*", "sns:List*", "lambda:Get*", "lambda:List*",
                            "sts:GetCallerIdentity", "kms:Describe*", "kms:List*", "ssm:Get*", "ssm:Describe*",
                            "states:Describe*", "states:List*", "cloudformation:Describe*", "cloudformation:List*"],
                 "Resource": "*"}],
            "boundary-ci-deployer": [
                {"Sid": "AllowDeploy", "Effect": "Allow",
                 "Action": ["cloudformation:*", "s3:*", "lambda:*", "ecr:*", "ecs:*", "logs:*", "events:*",
                            "states:*", "sqs:*", "sns:*", "dynamodb:*", "kms:*", "ssm:GetParameter*",
                            "iam:GetRole", "iam:PassRole", "sts:AssumeRole", "codebuild:*", "cloudfront:*"],
                 "Resource": "*"},
                {"Sid": "NoIdentityChanges", "Effect": "Deny", "Action": IAM_ESCALATION, "Resource": "*"},
                protect],
        }
        for name, stmts in docs.items():
            doc = {"Version": VERSION, "Statement": stmts}
            older = []
            if self.rng.random() < 0.6:
                old = copy.deepcopy(doc)
                old["Statement"] = old["Statement"][:1]
                older.append(old)
            rec = self.add_policy(name, "/boundaries/", doc, older,
                                  description=f"Permissions boundary: {name.split('-', 1)[1]}")
            self.boundaries.append(rec)

    def build_shared(self):
        acct = ACCOUNT
        S = {
            "acme-logs-writer": [
                {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": f"arn:aws:logs:*:{acct}:log-group:*"}],
            "acme-xray-writer": [
                {"Effect": "Allow", "Action": [f"xray:{a}" for a in STAR_ACTIONS["xray"]], "Resource": "*"}],
            "acme-ssm-core": [
                {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                 "Resource": f"arn:aws:ssm:*:{acct}:parameter/shared/*"},
                {"Effect": "Allow", "Action": "ssm:DescribeParameters", "Resource": "*"}],
            "acme-ecr-pull": [
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                               "ecr:BatchCheckLayerAvailability"],
                 "Resource": f"arn:aws:ecr:*:{acct}:repository/*"}],
            "acme-kms-use-via-services": [
                {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                 "Resource": f"arn:aws:kms:*:{acct}:key/*",
                 "Condition": {"StringLike": {"kms:ViaService": ["s3.*.amazonaws.com", "dynamodb.*.amazonaws.com",
                                                                  "sqs.*.amazonaws.com"]}}}],
            "acme-readonly-console": [
                {"Effect": "Allow",
                 "Action": ["ec2:Describe*", "cloudwatch:Get*", "cloudwatch:List*", "cloudwatch:Describe*",
                            "logs:Describe*", "logs:Get*", "logs:FilterLogEvents", "s3:ListAllMyBuckets",
                            "s3:GetBucketLocation", "dynamodb:ListTables", "dynamodb:DescribeTable",
                            "lambda:List*", "lambda:GetFunction", "sqs:ListQueues", "sns:ListTopics",
                            "iam:Get*", "iam:List*", "cloudformation:Describe*", "cloudformation:List*"],
                 "Resource": "*"}],
            "acme-deny-destructive": [
                {"Sid": "DenyDestructiveWithoutMFA", "Effect": "Deny", "Action": DESTRUCTIVE, "Resource": "*",
                 "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}],
            "acme-force-mfa": [
                {"Sid": "AllowViewAccountInfo", "Effect": "Allow",
                 "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"], "Resource": "*"},
                {"Sid": "AllowManageOwnMFA", "Effect": "Allow",
                 "Action": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices",
                            "iam:ResyncMFADevice"],
                 "Resource": [f"arn:aws:iam::*:mfa/${{aws:username}}", f"arn:aws:iam::*:user/${{aws:username}}"]},
                {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
                 "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser",
                               "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice",
                               "sts:GetSessionToken"],
                 "Resource": "*",
                 "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}],
            "acme-admin": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            "acme-self-service-credentials": [
                {"Sid": "ManageOwnCredentials", "Effect": "Allow",
                 "Action": ["iam:ChangePassword", "iam:GetUser", "iam:CreateAccessKey", "iam:DeleteAccessKey",
                            "iam:ListAccessKeys", "iam:UpdateAccessKey"],
                 "Resource": f"arn:aws:iam::{acct}:user/${{aws:username}}"}],
            "acme-ec2-tag-based": [
                {"Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
                 "Resource": f"arn:aws:ec2:*:{acct}:instance/*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
                {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}],
            "acme-s3-team-buckets": [
                {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                 "Resource": "arn:aws:s3:::acme-${aws:PrincipalTag/team}-*"},
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                 "Resource": "arn:aws:s3:::acme-${aws:PrincipalTag/team}-*/*"}],
            "acme-dynamodb-team-tables": [
                {"Effect": "Allow",
                 "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                            "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"],
                 "Resource": [f"arn:aws:dynamodb:*:{acct}:table/${{aws:PrincipalTag/team}}-*",
                              f"arn:aws:dynamodb:*:{acct}:table/${{aws:PrincipalTag/team}}-*/index/*"]}],
        }
        for name, stmts in S.items():
            doc = {"Version": VERSION, "Statement": stmts}
            self.shared[name] = self.add_policy(name, "/shared/", doc, [],
                                                description="Shared baseline policy managed by the platform team")

    def build_team_policies(self, count: int):
        purposes = ["read", "write", "deploy", "ops", "data", "pipeline", "lambda-exec", "ecs-task", "access",
                    "consumer", "producer", "admin", "readonly", "debug"]
        rng = self.rng
        for i in range(count):
            team = TEAMS[i % len(TEAMS)] if rng.random() < 0.6 else rng.choice(TEAMS)
            project = rng.choice(self.team_projects[team])
            env = rng.choice(ENVS)
            stack = self.stack_index[(team, project, env)]
            name = f"{team}-{project}-{rng.choice(purposes)}-{i:04d}"
            r = rng.random()
            path = "/" if r < 0.6 else (f"/team-{team}/" if r < 0.9 else "/service/")
            doc = self.document(rng, stack, 2, 8)
            n_versions = rng.choices([1, 2, 3], weights=[50, 30, 20], k=1)[0]
            older = [self.mutate(rng, doc, stack) for _ in range(n_versions - 1)]
            desc = f"{project} {env} access for team {team}" if rng.random() < 0.3 else None
            rec = self.add_policy(name, path, doc, older, description=desc, team=team)
            self.team_policies[team].append(rec)
        # Popularity: earlier policies of a team are attached more often (Zipf-like).
        self.team_weights = {t: [1.0 / (k + 1) ** 0.8 for k in range(len(ps))] for t, ps in self.team_policies.items()}
        self.all_team_policies = [p for t in TEAMS for p in self.team_policies[t]]

    def load_aws_managed(self, path: str):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        wanted = [s[2] for s in SERVICE_LINKED] + [a[0] for a in AWS_MANAGED_COMMON]
        for short in wanted:
            arn = f"arn:aws:iam::aws:policy/{short}"
            if arn not in data:
                print(f"warning: {arn} not in {path}; not attached", file=sys.stderr)
                continue
            entry = data[arn]
            name = short.rsplit("/", 1)[-1]
            p = "/" + short.rsplit("/", 1)[0] + "/" if "/" in short else "/"
            self.aws_managed[short] = self.add_policy(
                name, p, entry["document"], [],
                aws_managed={"arn": arn, "versionId": entry.get("versionId", "v1"),
                             "updated": self._norm_date(entry.get("updated"))})

    @staticmethod
    def _norm_date(s):
        if not s:
            return None
        try:
            d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
            return iso(d.astimezone(dt.timezone.utc))
        except ValueError:
            return None

    # ---------------------------------------------------------------- principals
    def attach(self, entity: dict, rec: dict):
        lst = entity["AttachedManagedPolicies"]
        if any(a["PolicyArn"] == rec["Arn"] for a in lst):
            return
        lst.append({"PolicyName": rec["PolicyName"], "PolicyArn": rec["Arn"]})
        rec["AttachmentCount"] += 1

    def pick_team_policies(self, rng, team: str, n: int) -> list[dict]:
        out = []
        for _ in range(n):
            if rng.random() < 0.85 and self.team_policies[team]:
                out.append(rng.choices(self.team_policies[team], weights=self.team_weights[team], k=1)[0])
            else:
                out.append(rng.choice(self.all_team_policies))
        return out

    def trust_policy(self, rng, kind: str, stack: Stack, role_name: str) -> dict:
        acct = ACCOUNT
        if kind in SERVICE_TRUST:
            st = {"Effect": "Allow", "Principal": {"Service": SERVICE_TRUST[kind]}, "Action": "sts:AssumeRole"}
            if kind == "ecs-task" and rng.random() < 0.6:
                st["Condition"] = {"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{stack.region}:{acct}:*"},
                                   "StringEquals": {"aws:SourceAccount": acct}}
            elif kind == "states" and rng.random() < 0.6:
                st["Condition"] = {"ArnLike": {"aws:SourceArn":
                                               f"arn:aws:states:{stack.region}:{acct}:stateMachine:{stack.base}*"}}
            elif kind == "lambda" and rng.random() < 0.2:
                st["Condition"] = {"StringEquals": {"aws:SourceAccount": acct}}
            stmts = [st]
        elif kind == "ops":
            stmts = [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                      "Action": ["sts:AssumeRole", "sts:TagSession"] if rng.random() < 0.4 else "sts:AssumeRole",
                      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]
        elif kind == "ci-deploy":
            prev = [r for r in self.roles[-200:] if r["_kind"] in ("ci-deploy", "ops", "github-actions")]
            principals = [r["Arn"] for r in rng.sample(prev, min(len(prev), rng.randint(1, 3)))]
            if not principals or rng.random() < 0.2:
                principals.append(f"arn:aws:iam::{acct}:root")
            if rng.random() < 0.02:  # a principal that was deleted: shows as its unique id
                principals.append(self.ids.new("AROA"))
            stmts = [{"Effect": "Allow", "Principal": {"AWS": one_or_list(rng, principals)},
                      "Action": "sts:AssumeRole"}]
        elif kind == "cross-account":
            stmts = [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{SANDBOX_ACCOUNT}:root"},
                      "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"sts:ExternalId": hashlib.sha256(
                          role_name.encode()).hexdigest()[:20]}}}]
        elif kind == "github-actions":
            stmts = [{"Effect": "Allow",
                      "Principal": {"Federated": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"},
                      "Action": "sts:AssumeRoleWithWebIdentity",
                      "Condition": {
                          "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                          "StringLike": {"token.actions.githubusercontent.com:sub":
                                         f"repo:acme/{stack.team}-{stack.project}:*"}}}]
        else:  # eks-irsa
            oidc = f"oidc.eks.{stack.region}.amazonaws.com/id/{hashlib.sha256(stack.base.encode()).hexdigest()[:32].upper()}"
            stmts = [{"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{acct}:oidc-provider/{oidc}"},
                      "Action": "sts:AssumeRoleWithWebIdentity",
                      "Condition": {"StringEquals": {f"{oidc}:sub": f"system:serviceaccount:{stack.team}:{stack.project}",
                                                     f"{oidc}:aud": "sts.amazonaws.com"}}}]
        return {"Version": VERSION, "Statement": stmts}

    def new_role(self, rng, name: str, path: str, trust: dict, tags: list, kind: str, team: str | None,
                 stack: Stack | None) -> dict:
        created = rand_date(rng, span_days=2000)
        arn = f"arn:aws:iam::{ACCOUNT}:role{path}{name}"
        role = {
            "Path": path,
            "RoleName": name,
            "RoleId": self.ids.new("AROA"),
            "Arn": arn,
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": None,  # rendered below
            "InstanceProfileList": [],
            "RolePolicyList": [],
            "AttachedManagedPolicies": [],
            "Tags": tags,
            "RoleLastUsed": ({"LastUsedDate": iso(rand_date(rng, after=created, span_days=300)),
                              "Region": rng.choice(ALLOWED_REGIONS)} if rng.random() < 0.7 else {}),
            "_kind": kind, "_team": team, "_stack": stack, "_trust": trust, "_inline": [],
        }
        role["AssumeRolePolicyDocument"] = self.render_doc(trust, rng)
        return role

    def build_roles(self, count: int):
        rng = self.rng
        # service-linked roles
        n_slr = min(len(SERVICE_LINKED), max(0, count // 1000))
        for svc, name, pol in SERVICE_LINKED[:n_slr]:
            trust = {"Version": VERSION, "Statement": [
                {"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sts:AssumeRole"}]}
            role = self.new_role(rng, name, f"/aws-service-role/{svc}/", trust, [], "service-linked", None, None)
            if pol in self.aws_managed:
                self.attach(role, self.aws_managed[pol])
            self.roles.append(role)
        # IAM Identity Center (SSO) roles
        n_sso = min(20, max(0, count // 500))
        permsets = [("AdministratorAccess", ["acme-admin"]), ("ReadOnly", ["acme-readonly-console"]),
                    ("Developer", ["acme-readonly-console", "acme-s3-team-buckets", "acme-dynamodb-team-tables"]),
                    ("DataScientist", ["acme-s3-team-buckets", "acme-kms-use-via-services"]),
                    ("Billing", ["acme-readonly-console"])]
        for i in range(n_sso):
            ps, pols = permsets[i % len(permsets)]
            hexid = hashlib.sha256(f"{self.args.seed}-sso-{i}".encode()).hexdigest()[:16]
            name = f"AWSReservedSSO_{ps}_{hexid}"
            path = "/aws-reserved/sso.amazonaws.com/" if i % 3 else "/aws-reserved/sso.amazonaws.com/eu-west-1/"
            trust = {"Version": VERSION, "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_{hexid[::-1]}_DO_NOT_DELETE"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
            role = self.new_role(rng, name, path, trust, [], "sso", None, None)
            for p in pols:
                if p in self.shared:
                    self.attach(role, self.shared[p])
            if "ReadOnlyAccess" in self.aws_managed and ps == "ReadOnly":
                self.attach(role, self.aws_managed["ReadOnlyAccess"])
            self.roles.append(role)
        # workload and human roles
        kinds = ROLE_KINDS
        shared_common = ["acme-logs-writer", "acme-xray-writer", "acme-ssm-core", "acme-ecr-pull",
                         "acme-kms-use-via-services", "acme-s3-team-buckets", "acme-dynamodb-team-tables",
                         "acme-ec2-tag-based", "acme-deny-destructive"]
        i = 0
        while len(self.roles) < count:
            i += 1
            team = rng.choice(TEAMS)
            project = rng.choice(self.team_projects[team])
            env = rng.choices(ENVS, weights=[40, 30, 30], k=1)[0]
            stack = self.stack_index[(team, project, env)]
            kind = wchoice(rng, kinds)
            name = f"{team}-{project}-{env}-{kind}-{i:05d}"
            r = rng.random()
            if r < 0.5:
                path = "/"
            elif r < 0.7:
                path = "/service/"
            else:
                path = f"/team-{team}/"
            tags = [{"Key": "team", "Value": team}, {"Key": "env", "Value": env}, {"Key": "project", "Value": project}]
            if rng.random() < 0.4:
                tags.append({"Key": "cost-center", "Value": f"cc-{1000 + TEAMS.index(team) * 7}"})
            if rng.random() < 0.2:
                tags.append({"Key": "owner", "Value": f"{team}-oncall@acme.example"})
            trust = self.trust_policy(rng, kind, stack, name)
            role = self.new_role(rng, name, path, trust, tags, kind, team, stack)
            if kind == "ec2":
                role["InstanceProfileList"] = [self.instance_profile(rng, role)]
            # managed policies
            n = rng.choices(range(1, 7), weights=[20, 25, 20, 15, 12, 8], k=1)[0]
            picks = []
            if rng.random() < 0.5:
                picks.append(self.shared[rng.choice(shared_common)])
            if rng.random() < 0.003:
                picks.append(self.shared["acme-admin"])
            if self.aws_managed and rng.random() < 0.25:
                opts = [a for a, ks in AWS_MANAGED_COMMON if kind in ks and a in self.aws_managed]
                if opts:
                    picks.append(self.aws_managed[rng.choice(opts)])
            picks += self.pick_team_policies(rng, team, max(0, n - len(picks)))
            for rec in picks[:max(n, 1)]:
                self.attach(role, rec)
            # inline
            if rng.random() < 0.3:
                for k in range(1 if rng.random() < 0.85 else 2):
                    doc = self.document(rng, stack, 1, 6, p_deny=0.1)
                    pname = rng.choice([f"{project}-inline", "inline-policy", f"{name}-policy"])[:128]
                    if k:
                        pname += f"-{k + 1}"
                    role["_inline"].append(doc)
                    role["RolePolicyList"].append({"PolicyName": pname, "PolicyDocument": self.render_doc(doc, rng)})
            # boundary
            if rng.random() < 0.2 and self.boundaries:
                pref = {"ci-deploy": 4, "github-actions": 4, "ops": 3, "glue": 2}.get(kind)
                b = self.boundaries[pref] if pref is not None and pref < len(self.boundaries) and rng.random() < 0.6 \
                    else rng.choice(self.boundaries)
                role["PermissionsBoundary"] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                               "PermissionsBoundaryArn": b["Arn"]}
                b["PermissionsBoundaryUsageCount"] += 1
            elif rng.random() < 0.01:
                role["PermissionsBoundary"] = None  # the documented null form
            self.roles.append(role)

    def instance_profile(self, rng, role: dict) -> dict:
        summary = {k: role[k] for k in ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument")}
        return {"Path": role["Path"], "InstanceProfileName": role["RoleName"],
                "InstanceProfileId": self.ids.new("AIPA"),
                "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile{role['Path']}{role['RoleName']}",
                "CreateDate": role["CreateDate"], "Roles": [summary]}

    def build_groups(self, count: int):
        rng = self.rng
        names = ["admins", "everyone-mfa", "readonly", "security-audit", "billing"]
        for t in TEAMS:
            names.append(f"{t}-developers")
        for t in TEAMS:
            names.append(f"{t}-oncall")
        names += ["data-scientists", "sre", "contractors", "release-managers", "incident-commanders"]
        k = 0
        while len(names) < count:
            names.append(f"project-group-{k:03d}")
            k += 1
        for name in names[:count]:
            g = {"Path": "/" if rng.random() < 0.7 else "/teams/", "GroupName": name, "GroupId": self.ids.new("AGPA"),
                 "CreateDate": iso(rand_date(rng, span_days=1200)), "GroupPolicyList": [],
                 "AttachedManagedPolicies": [], "_inline": []}
            g["Arn"] = f"arn:aws:iam::{ACCOUNT}:group{g['Path']}{name}"
            team = name.split("-")[0] if name.split("-")[0] in TEAMS else rng.choice(TEAMS)
            stack = self.stack_index[(team, rng.choice(self.team_projects[team]), rng.choice(ENVS))]
            if name == "admins":
                self.attach(g, self.shared["acme-admin"])
            elif name == "everyone-mfa":
                self.attach(g, self.shared["acme-force-mfa"])
                self.attach(g, self.shared["acme-self-service-credentials"])
            elif name in ("readonly", "security-audit", "billing"):
                self.attach(g, self.shared["acme-readonly-console"])
            else:
                for rec in self.pick_team_policies(rng, team, rng.randint(1, 4)):
                    self.attach(g, rec)
                if name.endswith("-oncall"):
                    self.attach(g, self.shared["acme-deny-destructive"])
                if rng.random() < 0.3:
                    doc = self.document(rng, stack, 1, 5)
                    g["_inline"].append(doc)
                    g["GroupPolicyList"].append({"PolicyName": f"{name}-inline",
                                                 "PolicyDocument": self.render_doc(doc, rng)})
            g["_team"] = team
            self.groups.append(g)
            self.group_by_name[name] = g

    def build_users(self, count: int):
        rng = self.rng
        seen: set[str] = set()
        group_names = [g["GroupName"] for g in self.groups]
        for i in range(count):
            team = rng.choice(TEAMS)
            project = rng.choice(self.team_projects[team])
            stack = self.stack_index[(team, project, rng.choice(ENVS))]
            human = rng.random() < 0.92
            if human:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                name = f"{first}.{last}"
                n = 2
                while name in seen:
                    name = f"{first}.{last}{n}"
                    n += 1
                r = rng.random()
                path = "/" if r < 0.7 else ("/engineering/" if r < 0.9 else "/contractors/")
                tags = [{"Key": "team", "Value": team}, {"Key": "email", "Value": f"{name}@acme.example"}]
            else:
                name = f"svc-{team}-{project}-{i:04d}"
                path = "/service-accounts/"
                tags = [{"Key": "team", "Value": team}, {"Key": "project", "Value": project}]
            seen.add(name)
            if rng.random() < 0.3:
                tags.append({"Key": "cost-center", "Value": f"cc-{1000 + TEAMS.index(team) * 7}"})
            u = {"Path": path, "UserName": name, "UserId": self.ids.new("AIDA"),
                 "Arn": f"arn:aws:iam::{ACCOUNT}:user{path}{name}", "CreateDate": iso(rand_date(rng, span_days=2000)),
                 "GroupList": [], "AttachedManagedPolicies": [], "Tags": tags, "_inline": [], "_team": team,
                 "_human": human}
            if human and group_names:
                groups = []
                for cand in ["everyone-mfa", f"{team}-developers"]:
                    if cand in self.group_by_name and rng.random() < 0.9:
                        groups.append(cand)
                if rng.random() < 0.3 and f"{team}-oncall" in self.group_by_name:
                    groups.append(f"{team}-oncall")
                if rng.random() < 0.15:
                    groups.append(rng.choice(group_names))
                if rng.random() < 0.01 and "admins" in self.group_by_name:
                    groups.append("admins")
                u["GroupList"] = list(dict.fromkeys(groups))
            n_att = 0 if (human and rng.random() < 0.6) else rng.randint(1, 3)
            for rec in self.pick_team_policies(rng, team, n_att):
                self.attach(u, rec)
            if rng.random() < 0.2:
                doc = self.document(rng, stack, 1, 4)
                if human and rng.random() < 0.5:
                    doc["Statement"].append({"Sid": "OwnHomePrefix", "Effect": "Allow",
                                             "Action": ["s3:GetObject", "s3:PutObject"],
                                             "Resource": f"arn:aws:s3:::acme-{stack.base}/home/${{aws:username}}/*"})
                u["_inline"].append(doc)
                u["UserPolicyList"] = [{"PolicyName": f"{name}-inline"[:128], "PolicyDocument": self.render_doc(doc, rng)}]
            if rng.random() < 0.1 and self.boundaries:
                b = self.boundaries[rng.choice([0, 3])] if len(self.boundaries) > 3 else self.boundaries[0]
                u["PermissionsBoundary"] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                            "PermissionsBoundaryArn": b["Arn"]}
                b["PermissionsBoundaryUsageCount"] += 1
            self.users.append(u)

    def bind_iam_inventory(self):
        """Point each stack's IAM role/user/policy resources at real generated entities, so that
        queries about them (sts:AssumeRole, iam:PassRole, iam:GetUser ...) name things that exist."""
        by_stack: dict[int, dict] = {}
        for r in self.roles:
            if r["_stack"] is not None:
                by_stack.setdefault(id(r["_stack"]), r)
        users_by_team: dict[str, dict] = {}
        for u in self.users:
            users_by_team.setdefault(u["_team"], u)
        for s in self.stacks:
            role = by_stack.get(id(s))
            if role:
                s.real[("iam", "role")] = s.real[("sts", "role")] = role["Arn"]
            if s.team in users_by_team:
                s.real[("iam", "user")] = users_by_team[s.team]["Arn"]
            if self.team_policies[s.team]:
                s.real[("iam", "policy")] = self.team_policies[s.team][0]["Arn"]

    # ---------------------------------------------------------------- resource policies
    def build_resource_policies(self, count: int):
        rng = self.rng
        roles_by_team: dict[str, list[dict]] = {}
        for r in self.roles:
            if r["_team"]:
                roles_by_team.setdefault(r["_team"], []).append(r)
        n_b = count // 2
        n_q = count // 4
        n_k = count - n_b - n_q
        rts = {(rt[0], rt[1]): rt for rt in RESOURCE_TYPES}
        acct = ACCOUNT

        def team_roles(stack, k):
            pool = roles_by_team.get(stack.team) or self.roles
            return [r["Arn"] for r in rng.sample(pool, min(k, len(pool)))]

        with_policy = set()
        for kind, n in (("bucket", n_b), ("queue", n_q), ("key", n_k)):
            stacks = rng.sample(self.stacks, min(n, len(self.stacks)))
            if kind == "bucket":
                with_policy = {id(s) for s in stacks}
            for stack in stacks:
                tags = {"team": stack.team, "env": stack.env, "project": stack.project}
                if kind == "bucket":
                    arn = stack.concrete(rts[("s3", "bucket")])
                    stmts = [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                              "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                             {"Sid": "AllowTeamRoles", "Effect": "Allow",
                              "Principal": {"AWS": one_or_list(rng, team_roles(stack, rng.randint(1, 4)))},
                              "Action": rng.sample(["s3:GetObject", "s3:PutObject", "s3:ListBucket",
                                                    "s3:GetObjectVersion", "s3:DeleteObject"], rng.randint(1, 3)),
                              "Resource": [arn, f"{arn}/*"]}]
                    r = rng.random()
                    if r < 0.2:
                        stmts.append({"Sid": "SandboxRead", "Effect": "Allow",
                                      "Principal": {"AWS": f"arn:aws:iam::{SANDBOX_ACCOUNT}:root"},
                                      "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [arn, f"{arn}/*"],
                                      "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}})
                    elif r < 0.3:
                        stmts.append({"Sid": "PartnerRead", "Effect": "Allow",
                                      "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"},
                                      "Action": "s3:GetObject", "Resource": f"{arn}/exports/*"})
                    elif r < 0.45:
                        stmts.append({"Sid": "AllowCloudTrail", "Effect": "Allow",
                                      "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
                                      "Resource": f"{arn}/AWSLogs/{acct}/*",
                                      "Condition": {"StringEquals": {"aws:SourceAccount": acct,
                                                                     "s3:x-amz-acl": "bucket-owner-full-control"}}})
                    if rng.random() < 0.3:
                        stmts.append({"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                                      "Resource": f"{arn}/*",
                                      "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}})
                elif kind == "queue":
                    arn = stack.concrete(rts[("sqs", "queue")])
                    topic = stack.concrete(rts[("sns", "topic")])
                    stmts = [{"Sid": "AllowTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                              "Action": "sqs:SendMessage", "Resource": arn,
                              "Condition": {"ArnEquals": {"aws:SourceArn": topic}}},
                             {"Sid": "AllowConsumers", "Effect": "Allow",
                              "Principal": {"AWS": one_or_list(rng, team_roles(stack, rng.randint(1, 3)))},
                              "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                         "sqs:ChangeMessageVisibility"],
                              "Resource": arn}]
                    if rng.random() < 0.3:
                        stmts.append({"Sid": "AllowAccountProducers", "Effect": "Allow",
                                      "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sqs:SendMessage",
                                      "Resource": arn,
                                      "Condition": {"StringEquals": {"aws:PrincipalTag/team": stack.team}}})
                else:
                    arn = stack.concrete(rts[("kms", "key")])
                    users = team_roles(stack, rng.randint(1, 4))
                    admins = team_roles(stack, 1)
                    stmts = [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                              "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "kms:*", "Resource": "*"},
                             {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
                              "Principal": {"AWS": admins},
                              "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                                         "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                                         "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                                         "kms:CancelKeyDeletion"],
                              "Resource": "*"},
                             {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": users},
                              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                                         "kms:DescribeKey"],
                              "Resource": "*"}]
                    if rng.random() < 0.5:
                        stmts[2]["Condition"] = {"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com",
                                                                  "kms:CallerAccount": acct}}
                    stmts.append({"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
                                  "Principal": {"AWS": users},
                                  "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
                                  "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}})
                doc = {"Version": VERSION, "Id": f"{kind}-policy", "Statement": stmts}
                policy = json.dumps(doc) if rng.random() < 0.05 else doc
                self.resource_policies.append({"arn": arn, "policy": policy, "tags": tags, "_doc": doc})
        # Every other bucket is listed with its tags only: an S3 ARN has no account, and this is how
        # the world says which account owns the bucket.
        for stack in self.stacks:
            if id(stack) not in with_policy:
                self.resource_tags.append({"arn": stack.concrete(rts[("s3", "bucket")]),
                                           "tags": {"team": stack.team, "env": stack.env, "project": stack.project}})

    # ---------------------------------------------------------------- organization
    def organization(self) -> dict:
        regionlock = {
            "Version": VERSION,
            "Statement": [{
                "Sid": "DenyOutsideApprovedRegions", "Effect": "Deny",
                "NotAction": ["iam:*", "sts:*", "organizations:*", "account:*", "cloudfront:*", "route53:*",
                              "route53domains:*", "support:*", "budgets:*", "ce:*", "health:*", "waf:*",
                              "s3:ListAllMyBuckets", "s3:GetAccountPublicAccessBlock", "trustedadvisor:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ALLOWED_REGIONS}}}],
        }
        rcp = {
            "Version": VERSION,
            "Statement": [{
                "Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                              "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}],
        }
        full = {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        sandbox_deny = {"Version": VERSION, "Statement": [{
            "Sid": "NoExpensiveThings", "Effect": "Deny",
            "Action": ["ec2:PurchaseReservedInstancesOffering", "redshift:CreateCluster", "sagemaker:CreateEndpoint"],
            "Resource": "*"}]}
        return {
            "id": ORG_ID,
            "managementAccountId": MGMT_ACCOUNT,
            "roots": [{
                "id": ROOT_ID,
                "policies": ["p-FullAWSAccess", "p-rcporgonly01"],
                "children": [
                    {"id": OU_WORKLOADS, "name": "Workloads", "policies": ["p-FullAWSAccess", "p-regionlock01"],
                     "children": [], "accounts": [ACCOUNT]},
                    {"id": OU_SANDBOX, "name": "Sandbox", "policies": ["p-FullAWSAccess", "p-sandboxdeny1"],
                     "children": [], "accounts": [SANDBOX_ACCOUNT]},
                ],
                "accounts": [MGMT_ACCOUNT],
            }],
            "accounts": {
                ACCOUNT: {"name": "workloads-prod", "policies": ["p-FullAWSAccess"]},
                SANDBOX_ACCOUNT: {"name": "sandbox", "policies": ["p-FullAWSAccess"]},
                MGMT_ACCOUNT: {"name": "management", "policies": ["p-FullAWSAccess"]},
            },
            "policies": {
                "p-FullAWSAccess": {"name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY", "content": full},
                # describe-policy returns the content as JSON text: keep one that way
                "p-regionlock01": {"name": "DenyOutsideApprovedRegions", "type": "SERVICE_CONTROL_POLICY",
                                   "content": json.dumps(regionlock, indent=2)},
                "p-sandboxdeny1": {"name": "SandboxGuardrails", "type": "SERVICE_CONTROL_POLICY",
                                   "content": sandbox_deny},
                "p-rcporgonly01": {"name": "EnforceOrgIdentitiesOnS3", "type": "RESOURCE_CONTROL_POLICY",
                                   "content": rcp},
            },
            "_docs": {"regionlock": regionlock},
        }

    def count_statements(self, org: dict) -> int:
        docs = [d for p in self.policy_by_arn.values() for d in p["docs"]]
        for e in self.roles + self.users + self.groups:
            docs += e["_inline"]
        docs += [r["_trust"] for r in self.roles] + [rp["_doc"] for rp in self.resource_policies]
        for pol in org["policies"].values():
            c = pol["content"]
            docs.append(json.loads(c) if isinstance(c, str) else c)
        return sum(len(d["Statement"]) for d in docs)

    # ---------------------------------------------------------------- output
    @staticmethod
    def public(entity: dict) -> dict:
        return {k: v for k, v in entity.items() if not k.startswith("_")}

    def gaad_pages(self, pages: int):
        items = ([("UserDetailList", self.public(u)) for u in self.users]
                 + [("GroupDetailList", self.public(g)) for g in self.groups]
                 + [("RoleDetailList", self.public(r)) for r in self.roles]
                 + [("Policies", p) for p in self.policies])
        keys = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"]
        if pages <= 1:
            out = {k: [] for k in keys}
            for k, v in items:
                out[k].append(v)
            return out
        per = -(-len(items) // pages)
        result = []
        for p in range(pages):
            chunk = items[p * per:(p + 1) * per]
            page = {k: [] for k in keys}
            for k, v in chunk:
                page[k].append(v)
            last = p == pages - 1
            page["IsTruncated"] = not last
            if not last:
                page["Marker"] = "AQ" + hashlib.sha256(f"{self.args.seed}:{p}".encode()).hexdigest().upper()
            result.append(page)
        return result


# --------------------------------------------------------------------------------------------------
# A conservative mini-evaluator, only to label the sample queries. It answers None whenever a
# condition, variable or layer is beyond what it models; the labels it does give follow spec §1.
# --------------------------------------------------------------------------------------------------
def glob_re(pattern: str, ignore_case: bool) -> re.Pattern:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(rx + r"\Z", re.S | (re.I if ignore_case else 0))


_GLOB_CACHE: dict = {}


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    key = (pattern, ignore_case)
    rx = _GLOB_CACHE.get(key)
    if rx is None:
        rx = _GLOB_CACHE[key] = glob_re(pattern, ignore_case)
    return rx.match(value) is not None


VAR_RE = re.compile(r"\$\{([^}]*)\}")


def substitute(s: str, known: dict) -> str | None:
    """Replace ${key} with known values; None when a variable is not known."""
    if "${" not in s:
        return s
    failed = False

    def rep(m):
        nonlocal failed
        k = m.group(1).lower()
        if k in known and isinstance(known[k], str):
            return known[k]
        failed = True
        return ""

    out = VAR_RE.sub(rep, s)
    return None if failed else out


def tri_and(vals):
    res = True
    for v in vals:
        if v is False:
            return False
        if v is None:
            res = None
    return res


def tri_or(vals):
    res = False
    for v in vals:
        if v is True:
            return True
        if v is None:
            res = None
    return res


NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "notipaddress", "arnnotequals",
           "arnnotlike", "numericnotequals", "datenotequals"}


def eval_condition(cond: dict, known: dict, absent: set) -> bool | None:
    results = []
    for op, block in cond.items():
        lop = op.lower()
        if lop.startswith("forallvalues:") or lop.startswith("foranyvalue:"):
            results.append(None)
            continue
        ifexists = lop.endswith("ifexists")
        base = lop[:-8] if ifexists else lop
        for key, vals in block.items():
            k = key.lower()
            vals = vals if isinstance(vals, list) else [vals]
            vals = [substitute(str(v), known) for v in vals]
            if any(v is None for v in vals):
                results.append(None)
                continue
            if k not in known:
                if k in absent:
                    if base == "null":
                        results.append(any(v.lower() == "true" for v in vals))
                    else:
                        results.append(ifexists or base in NEGATED)
                else:
                    results.append(None)
                continue
            val = known[k]
            if base == "null":
                results.append(any(v.lower() == "false" for v in vals))
                continue
            if base in ("stringequals", "stringnotequals"):
                m = any(val == v for v in vals)
            elif base in ("stringequalsignorecase", "stringnotequalsignorecase"):
                m = any(val.lower() == v.lower() for v in vals)
            elif base in ("stringlike", "stringnotlike", "arnlike", "arnnotlike", "arnequals", "arnnotequals"):
                m = any(glob_match(v, val) for v in vals)
            elif base == "bool":
                m = any(val.lower() == v.lower() for v in vals)
            elif base in ("ipaddress", "notipaddress"):
                try:
                    ip = ipaddress.ip_address(val)
                    m = any(ip in ipaddress.ip_network(v, strict=False) for v in vals)
                except ValueError:
                    results.append(None)
                    continue
            else:
                results.append(None)
                continue
            results.append((not m) if base in NEGATED else m)
    return tri_and(results)


def statement_applies(st: dict, action: str, resource: str, known: dict, absent: set) -> bool | None:
    if "Action" in st:
        acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        a = any(glob_match(p, action, True) for p in acts)
    else:
        acts = st["NotAction"] if isinstance(st["NotAction"], list) else [st["NotAction"]]
        a = not any(glob_match(p, action, True) for p in acts)
    if not a:
        return False
    key = "Resource" if "Resource" in st else "NotResource"
    pats = st[key] if isinstance(st[key], list) else [st[key]]
    hits = []
    for p in pats:
        sp = substitute(p, known)
        hits.append(None if sp is None else glob_match(sp, resource))
    r = tri_or(hits)
    if key == "NotResource" and r is not None:
        r = not r
    if r is False:
        return False
    c = eval_condition(st["Condition"], known, absent) if "Condition" in st else True
    return tri_and([r, c])


class Checker:
    def __init__(self, world: World, org: dict):
        self.w = world
        self.regionlock = org["_docs"]["regionlock"]
        self.res_policy_arns = {rp["arn"] for rp in world.resource_policies}

    def identity_docs(self, p: dict) -> list[tuple[str, dict]]:
        docs = []
        for a in p["AttachedManagedPolicies"]:
            docs.append((a["PolicyArn"], self.w.policy_by_arn[a["PolicyArn"]]["doc"]))
        for i, d in enumerate(p["_inline"]):
            docs.append((f"inline policy #{i + 1} of {p.get('RoleName') or p.get('UserName')}", d))
        for gname in p.get("GroupList", []):
            g = self.w.group_by_name[gname]
            for a in g["AttachedManagedPolicies"]:
                docs.append((a["PolicyArn"] + f" (via group {gname})", self.w.policy_by_arn[a["PolicyArn"]]["doc"]))
            for i, d in enumerate(g["_inline"]):
                docs.append((f"inline policy of group {gname}", d))
        return docs

    @staticmethod
    def stmts(doc):
        s = doc["Statement"]
        return s if isinstance(s, list) else [s]

    def decide(self, p: dict, action: str, resource: str, ctx: dict, absent: set, with_scps=True):
        """(decision, reason) or (None, why-unknown)."""
        if action.split(":")[0] == "kms":
            return None, "KMS needs the key policy"
        if action.lower().startswith("sts:assumerole"):
            return None, "the role's trust policy decides too"
        if resource in self.res_policy_arns or any(resource.startswith(a + "/") for a in self.res_policy_arns
                                                   if a.startswith("arn:aws:s3:::")):
            return None, "resource has a resource policy"
        known = {k.lower(): v for k, v in ctx.items()}
        known["aws:principalaccount"] = ACCOUNT
        known["aws:principalorgid"] = ORG_ID
        for t in p["Tags"]:
            known[f"aws:principaltag/{t['Key']}".lower()] = t["Value"]
        if "RoleName" in p:
            known["aws:principalarn"] = p["Arn"]
            known["aws:userid"] = f"{p['RoleId']}:{BENCH_SESSION}"
        else:
            known["aws:principalarn"] = p["Arn"]
            known["aws:username"] = p["UserName"]
            known["aws:userid"] = p["UserId"]
        # SCPs: FullAWSAccess at every level allows everything; the region lock is the only deny
        for st in self.stmts(self.regionlock) if with_scps else []:
            r = statement_applies(st, action, resource, known, absent)
            if r is True:
                return "explicitDeny", "SCP p-regionlock01 (OU Workloads) DenyOutsideApprovedRegions"
            if r is None:
                return None, "SCP condition unknown"
        ident = self.identity_docs(p)
        bnd = []
        if p.get("PermissionsBoundary"):
            barn = p["PermissionsBoundary"]["PermissionsBoundaryArn"]
            bnd = [(barn, self.w.policy_by_arn[barn]["doc"])]
        unknown_deny = False
        for name, doc in ident + bnd:
            for st in self.stmts(doc):
                if st["Effect"] != "Deny":
                    continue
                r = statement_applies(st, action, resource, known, absent)
                if r is True:
                    return "explicitDeny", f"{name} statement {st.get('Sid', '(no Sid)')}"
                if r is None:
                    unknown_deny = True
        allow = False
        allow_by = None
        for name, doc in ident:
            for st in self.stmts(doc):
                if st["Effect"] != "Allow":
                    continue
                r = statement_applies(st, action, resource, known, absent)
                if r is True:
                    allow, allow_by = True, f"{name} statement {st.get('Sid', '(no Sid)')}"
                    break
                if r is None and allow is False:
                    allow = None
            if allow is True:
                break
        if unknown_deny:
            return None, "a Deny may apply"
        if allow is False:
            return "implicitDeny", "no identity-policy statement allows it"
        if allow is None:
            return None, "an Allow may apply"
        if bnd:
            b = tri_or([statement_applies(st, action, resource, known, absent)
                        for st in self.stmts(bnd[0][1]) if st["Effect"] == "Allow"])
            if b is False:
                return "implicitDeny", f"allowed by {allow_by}, but permissions boundary {bnd[0][0]} does not allow it"
            if b is None:
                return None, "boundary unknown"
        return "allowed", f"allowed by {allow_by}"


def concrete_actions(pattern: str) -> list[str]:
    svc, _, name = pattern.partition(":")
    out = []
    names = [a for rt in RESOURCE_TYPES if rt[0] == svc for a in rt[5]] + STAR_ACTIONS.get(svc, [])
    for a in names:
        full = f"{svc}:{a}"
        if glob_match(pattern, full, True) and full not in out:
            out.append(full)
    return out


def action_types(action: str):
    svc, _, name = action.partition(":")
    return [rt for rt in RESOURCE_TYPES if rt[0] == svc and name in rt[5]]


def find_samples(world: World, org: dict, seed: int, n_total: int):
    rng = random.Random(seed * 31 + 17)
    chk = Checker(world, org)
    roles = [r for r in world.roles if r["_kind"] not in ("service-linked", "sso") and r["_team"]]
    users = [u for u in world.users if u["_human"]]
    order = roles[:]
    rng.shuffle(order)
    common = ("s3", "dynamodb", "sqs", "sns", "lambda")

    def ctx_for(region, mfa=None):
        c = {"aws:RequestedRegion": region, "aws:SecureTransport": "true", "aws:SourceIp": "10.20.30.40"}
        if mfa is not None:
            c["aws:MultiFactorAuthPresent"] = mfa
        return c

    def principal_arn(p):
        if "RoleName" in p:
            return f"arn:aws:sts::{ACCOUNT}:assumed-role/{p['RoleName']}/{BENCH_SESSION}"
        return p["Arn"]

    def region_of(resource):
        parts = resource.split(":")
        return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"

    def candidates(p, limit=15):
        """Concrete actions drawn from the principal's own Allow statements."""
        out = []
        for _, doc in chk.identity_docs(p):
            for st in chk.stmts(doc):
                if st["Effect"] != "Allow" or "Action" not in st:
                    continue
                acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                for ap in acts:
                    if ap != "*":
                        out += [a for a in concrete_actions(ap)[:6] if a not in out]
        rng.shuffle(out)
        return out[:limit]

    def resources_for(action, team, limit=6):
        """(resource ARN, stack, resource type) triples: the team's stacks first, then a few others."""
        rts = action_types(action)
        if not rts:
            return [("*", None, None)]
        stacks = [s for s in world.stacks if s.team == team]
        rng.shuffle(stacks)
        stacks = stacks[:4] + rng.sample(world.stacks, 2)
        return [(s.concrete(rt), s, rt) for s in stacks for rt in rts][:limit]

    found: dict[str, dict] = {}

    def record(label, p, action, resource, ctx, decision, reason):
        found[label] = {"principal": principal_arn(p), "action": action, "resource": resource, "context": ctx,
                        "expected": decision, "why": reason, "label": label}

    def scan_role(p, star_ok=False):
        team = p["_team"]
        for action in candidates(p):
            svc = action.split(":")[0]
            for res, stack, rt in resources_for(action, team):
                region = region_of(res)
                if region not in ALLOWED_REGIONS or (res == "*" and not star_ok):
                    continue
                ctx = ctx_for(region)
                d, why = chk.decide(p, action, res, ctx, set())
                if d == "allowed":
                    if "allowed" not in found and svc in common:
                        record("allowed", p, action, res, ctx, d, why)
                    if "scp-region-deny" not in found and stack is not None:
                        res2 = stack.concrete(rt, "ap-southeast-2")
                        if region_of(res2) == "ap-southeast-2":
                            ctx2 = ctx_for("ap-southeast-2")
                            d2, why2 = chk.decide(p, action, res2, ctx2, set())
                            d3, _ = chk.decide(p, action, res2, ctx2, set(), with_scps=False)
                            if d2 == "explicitDeny" and "SCP" in why2 and d3 == "allowed":
                                record("scp-region-deny", p, action, res2, ctx2, d2,
                                       why2 + "; the identity policies alone would allow it")
                elif d == "explicitDeny" and "SCP" not in why and "explicit-deny-identity" not in found:
                    record("explicit-deny-identity", p, action, res, ctx, d, why)
                elif d == "implicitDeny" and "boundary" in why and "boundary-implicit-deny" not in found:
                    record("boundary-implicit-deny", p, action, res, ctx, d, why)
        if "implicit-deny" not in found:
            other = rng.choice([s for s in world.stacks if s.team != team])
            rt = rng.choice([rt for rt in RESOURCE_TYPES if rt[0] in common])
            action = f"{rt[0]}:{rng.choice(rt[5])}"
            res = other.concrete(rt)
            if region_of(res) in ALLOWED_REGIONS:
                ctx = ctx_for(region_of(res))
                d, why = chk.decide(p, action, res, ctx, set())
                if d == "implicitDeny" and "boundary" not in why:
                    record("implicit-deny", p, action, res, ctx, d, why)

    role_labels = {"allowed", "explicit-deny-identity", "implicit-deny", "scp-region-deny", "boundary-implicit-deny"}
    for p in order[:400]:
        if role_labels <= found.keys():
            break
        scan_role(p)
    for star_ok in (False, True):
        if "boundary-implicit-deny" not in found:
            for p in [r for r in order if r.get("PermissionsBoundary")][:300]:
                scan_role(p, star_ok)
                if "boundary-implicit-deny" in found:
                    break
    # users: allowed with MFA; the same request without MFA is denied by acme-force-mfa (group everyone-mfa)
    ush = [u for u in users if "everyone-mfa" in u["GroupList"]]
    rng.shuffle(ush)
    for star_ok in (False, True):  # prefer a concrete resource; fall back to Resource "*" actions
        for u in ush[:300]:
            if "user-allowed-mfa" in found:
                break
            for action in candidates(u):
                for res, _, _ in resources_for(action, u["_team"]):
                    region = region_of(res)
                    if region not in ALLOWED_REGIONS or (res == "*" and not star_ok):
                        continue
                    d, why = chk.decide(u, action, res, ctx_for(region, "true"), set())
                    if d != "allowed":
                        continue
                    d2, why2 = chk.decide(u, action, res, ctx_for(region, "false"), set())
                    if d2 == "explicitDeny":
                        record("user-allowed-mfa", u, action, res, ctx_for(region, "true"), d, why)
                        record("user-denied-without-mfa", u, action, res, ctx_for(region, "false"), d2, why2)
                        break
                if "user-allowed-mfa" in found:
                    break
    labels = ["allowed", "explicit-deny-identity", "implicit-deny", "scp-region-deny", "boundary-implicit-deny",
              "user-allowed-mfa", "user-denied-without-mfa"]
    ordered = [found[k] for k in labels if k in found]
    n_extra = max(0, n_total - len(ordered))
    # random queries for throughput runs, labelled when the mini-evaluator is certain
    extra = []
    pool = roles + users
    while pool and len(extra) < n_extra:
        p = rng.choice(pool)
        acts = candidates(p, 5) if rng.random() < 0.7 else []
        if acts:
            action = acts[0]
        else:
            rt = rng.choice(RESOURCE_TYPES)
            action = f"{rt[0]}:{rng.choice(rt[5])}"
        res = rng.choice(resources_for(action, p["_team"]))[0]
        ctx = ctx_for(region_of(res), None if "RoleName" in p else "true")
        d, why = chk.decide(p, action, res, ctx, set())
        extra.append({"principal": principal_arn(p), "action": action, "resource": res, "context": ctx,
                      "expected": d, "why": why, "label": "random"})
    return ordered, extra


# --------------------------------------------------------------------------------------------------
def write_json(path: str, obj, indent: int | None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if indent:
            f.write(json.dumps(obj, indent=indent, sort_keys=True))
        else:
            f.write(json.dumps(obj, sort_keys=True, separators=(",", ":")))
        f.write("\n")
    return os.path.getsize(path)


def human_size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return str(n)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output world directory (created)")
    ap.add_argument("--roles", type=int, default=10000)
    ap.add_argument("--policies", type=int, default=2000, help="customer managed policies (incl. 5 boundaries)")
    ap.add_argument("--users", type=int, default=500)
    ap.add_argument("--groups", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pages", type=int, default=1,
                    help="write authorization-details.json as an array of N pages (1 = one object)")
    ap.add_argument("--resource-policies", type=int, default=200, help="bucket/queue/key policies (~2:1:1)")
    ap.add_argument("--queries", type=int, default=100,
                    help="total entries in sample-queries.json (labelled samples first, then random ones)")
    ap.add_argument("--indent", type=int, default=4, help="JSON indent of the written files (0 = compact); "
                                                          "4 is what `aws iam get-account-authorization-details` prints")
    ap.add_argument("--aws-managed", metavar="FILE",
                    help="aws-managed-policies.json ({ARN: {name, versionId, updated, document}}): service-linked "
                         "and some ordinary roles then attach real AWS managed policies, included in Policies")
    args = ap.parse_args(argv)
    if args.roles < 0 or args.users < 0 or args.groups < 0 or args.resource_policies < 0 or args.pages < 1:
        ap.error("counts must be >= 0 and --pages >= 1")
    if args.policies < 20:
        ap.error("--policies must be at least 20 (5 boundaries and 13 shared policies are always generated)")

    t0 = time.perf_counter()
    w = World(args)
    w.build_boundaries()
    w.build_shared()
    n_fixed = len(w.policies)
    if args.aws_managed:
        w.load_aws_managed(args.aws_managed)
    w.build_team_policies(args.policies - n_fixed)
    w.build_roles(args.roles)
    w.build_groups(args.groups)
    w.build_users(args.users)
    w.bind_iam_inventory()
    w.build_resource_policies(args.resource_policies)
    org = w.organization()
    t_build = time.perf_counter() - t0

    acct_dir = os.path.join(args.out, "accounts", ACCOUNT)
    os.makedirs(acct_dir, exist_ok=True)
    indent = args.indent or None
    sizes = {}
    sizes["organization.json"] = write_json(os.path.join(args.out, "organization.json"),
                                            {k: v for k, v in org.items() if not k.startswith("_")}, indent)
    sizes[f"accounts/{ACCOUNT}/authorization-details.json"] = write_json(
        os.path.join(acct_dir, "authorization-details.json"), w.gaad_pages(args.pages), indent)
    sizes[f"accounts/{ACCOUNT}/resource-policies.json"] = write_json(
        os.path.join(acct_dir, "resource-policies.json"),
        [{k: v for k, v in rp.items() if not k.startswith("_")} for rp in w.resource_policies] + w.resource_tags,
        indent)
    t_write = time.perf_counter() - t0 - t_build

    samples, extra = find_samples(w, org, args.seed, args.queries)
    queries = samples + extra  # all labelled samples, even when --queries is smaller
    sizes["sample-queries.json"] = write_json(os.path.join(args.out, "sample-queries.json"), queries, 2)
    t_total = time.perf_counter() - t0

    # ------------------------------------------------------------ summary
    customer = [p for p in w.policies if not p["Arn"].startswith("arn:aws:iam::aws:")]
    n_versions = sum(len(p["PolicyVersionList"]) for p in w.policies)
    roles_b = sum(1 for r in w.roles if r.get("PermissionsBoundary"))
    roles_inline = sum(1 for r in w.roles if r["RolePolicyList"])
    attach = sum(len(r["AttachedManagedPolicies"]) for r in w.roles)
    slr = sum(1 for r in w.roles if r["_kind"] == "service-linked")
    kinds = {}
    for rp in w.resource_policies:
        k = rp["arn"].split(":")[2]
        kinds[k] = kinds.get(k, 0) + 1
    print(f"world: {args.out}  (seed {args.seed})")
    print(f"  organization {ORG_ID}: root {ROOT_ID} (FullAWSAccess + RCP p-rcporgonly01) > OU Workloads "
          f"{OU_WORKLOADS} (FullAWSAccess + p-regionlock01) > account {ACCOUNT} (FullAWSAccess); "
          f"management {MGMT_ACCOUNT} at the root; OU Sandbox {OU_SANDBOX} > {SANDBOX_ACCOUNT}")
    print(f"  roles {len(w.roles)} (service-linked {slr}; with inline policy {roles_inline}; with boundary "
          f"{roles_b}; managed attachments {attach}, {attach / max(1, len(w.roles)):.2f}/role)")
    print(f"  users {len(w.users)}, groups {len(w.groups)}")
    print(f"  managed policies {len(w.policies)} (customer {len(customer)} incl. {len(w.boundaries)} boundaries and "
          f"{len(w.shared)} shared; AWS managed {len(w.policies) - len(customer)}), {n_versions} versions")
    print(f"  policy statements {w.count_statements(org)}; documents as object {w.doc_forms['object']}, "
          f"URL-encoded {w.doc_forms['url-encoded']}, JSON string {w.doc_forms['json-string']}")
    print(f"  resource policies {len(w.resource_policies)} (" + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
          + f"), plus {len(w.resource_tags)} buckets with tags only")
    print(f"  authorization-details pages: {args.pages}")
    for name, size in sizes.items():
        print(f"  {name}: {size} bytes ({human_size(size)})")
    print(f"  time: build {t_build:.1f}s, write {t_write:.1f}s, total {t_total:.1f}s")
    labelled = sum(1 for q in queries if q["expected"])
    print(f"sample queries ({len(queries)} in sample-queries.json, {labelled} with an expected decision):")
    for q in samples:
        ctx = " ".join(f"--context {k}={v}" for k, v in q["context"].items())
        print(f"  [{q['label']}] expected {q['expected']}: {q['why']}")
        print(f"    iamwhy check --world {args.out} --principal {q['principal']} --action {q['action']} "
              f"--resource {q['resource']} {ctx}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
