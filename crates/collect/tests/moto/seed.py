#!/usr/bin/env python3
"""Seed a moto server (loopback only) with an organization and two accounts for the
collector's end-to-end test. Prints a JSON object with the ids the test needs.

Usage: seed.py ENDPOINT_URL

Management account 123456789012 (moto's default):
  IAM: user alice (group analysts, managed ReadOrders, inline KeyUse), role app (boundary
       AppBoundary), managed policies ReadOrders and AppBoundary
  S3 bucket iamwhy-orders (eu-west-1) whose policy denies secret/* to everyone and allows
       bob; KMS key whose policy denies ScheduleKeyDeletion; SQS queue orders and SNS topic
       alerts whose policies allow bob; a Secrets Manager secret, a Lambda function with a
       version and an alias, an ECR repository, an event bus, an OpenSearch domain and a
       REST API, each with a policy; a VPC gateway endpoint with a policy (eu-west-1).
  Organizations: OU Workloads with the member account; SCP DenyBucketDeletion on the root,
       RCP DenyQueueDeletion on the OU.
Member account (created by moto), reached through OrganizationAccountAccessRole:
  IAM: user bob with an inline policy allowing everything; a queue member-jobs.
"""

import io
import json
import sys
import zipfile

import boto3

URL = sys.argv[1]
MGMT = "123456789012"
REGION = "eu-west-1"
CREDS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


def client(service, region=REGION, creds=None):
    return boto3.client(service, endpoint_url=URL, region_name=region, **(creds or CREDS))


def doc(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


out = {"management": MGMT}

# --- Organization -------------------------------------------------------------------------
org = client("organizations", "us-east-1")
o = org.create_organization(FeatureSet="ALL")["Organization"]
out["organization"] = o["Id"]
root = org.list_roots()["Roots"][0]["Id"]
out["root"] = root
for t in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
    org.enable_policy_type(RootId=root, PolicyType=t)
ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
out["ou"] = ou
status = org.create_account(Email="member@example.invalid", AccountName="member")["CreateAccountStatus"]
member = status["AccountId"]
out["member"] = member
org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou)
scp = org.create_policy(
    Name="DenyBucketDeletion",
    Description="guardrail",
    Type="SERVICE_CONTROL_POLICY",
    Content=doc([{"Sid": "NoBucketDeletion", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]),
)["Policy"]["PolicySummary"]["Id"]
org.attach_policy(PolicyId=scp, TargetId=root)
out["scp"] = scp
rcp = org.create_policy(
    Name="DenyQueueDeletion",
    Description="perimeter",
    Type="RESOURCE_CONTROL_POLICY",
    Content=doc([{"Sid": "NoQueueDeletion", "Effect": "Deny", "Principal": "*", "Action": "sqs:DeleteQueue", "Resource": "*"}]),
)["Policy"]["PolicySummary"]["Id"]
org.attach_policy(PolicyId=rcp, TargetId=ou)
out["rcp"] = rcp

# --- IAM of the management account -----------------------------------------------------------
iam = client("iam", "us-east-1")
read_orders = iam.create_policy(
    PolicyName="ReadOrders",
    PolicyDocument=doc([{"Sid": "ReadOrderObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::iamwhy-orders/*"}]),
)["Policy"]["Arn"]
boundary = iam.create_policy(
    PolicyName="AppBoundary",
    PolicyDocument=doc([{"Sid": "OnlyStorage", "Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"}]),
)["Policy"]["Arn"]
iam.create_group(GroupName="analysts")
iam.put_group_policy(
    GroupName="analysts",
    PolicyName="PublishAlerts",
    PolicyDocument=doc([{"Sid": "Publish", "Effect": "Allow", "Action": "sns:Publish", "Resource": f"arn:aws:sns:{REGION}:{MGMT}:alerts"}]),
)
iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "data"}])
iam.add_user_to_group(GroupName="analysts", UserName="alice")
iam.attach_user_policy(UserName="alice", PolicyArn=read_orders)
iam.put_user_policy(
    UserName="alice",
    PolicyName="KeyUse",
    PolicyDocument=doc([{"Sid": "Keys", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]),
)
trust = doc([{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}])
role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)["Role"]["Arn"]
iam.put_role_policy(
    RoleName="app",
    PolicyName="AppAccess",
    PolicyDocument=doc([{"Sid": "AppAccess", "Effect": "Allow", "Action": ["kms:Decrypt", "s3:GetObject"], "Resource": "*"}]),
)
out["role"] = role

bob = f"arn:aws:iam::{member}:user/bob"

# --- Resources of the management account -----------------------------------------------------
s3 = client("s3")
s3.create_bucket(Bucket="iamwhy-orders", CreateBucketConfiguration={"LocationConstraint": REGION})
s3.put_bucket_policy(
    Bucket="iamwhy-orders",
    Policy=doc([
        {"Sid": "DenySecrets", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::iamwhy-orders/secret/*"},
        {"Sid": "AllowBob", "Effect": "Allow", "Principal": {"AWS": bob}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::iamwhy-orders/*"},
    ]),
)
s3.put_bucket_tagging(Bucket="iamwhy-orders", Tagging={"TagSet": [{"Key": "data", "Value": "orders"}]})

kms = client("kms")
key = kms.create_key(
    Policy=doc([
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "NoDeletion", "Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
    ]),
    Tags=[{"TagKey": "purpose", "TagValue": "orders"}],
)["KeyMetadata"]
out["key"] = key["Arn"]

sqs = client("sqs")
q = sqs.create_queue(QueueName="orders")["QueueUrl"]
queue_arn = f"arn:aws:sqs:{REGION}:{MGMT}:orders"
sqs.set_queue_attributes(
    QueueUrl=q,
    Attributes={"Policy": doc([{"Sid": "BobSends", "Effect": "Allow", "Principal": {"AWS": bob}, "Action": "sqs:SendMessage", "Resource": queue_arn}])},
)
sqs.tag_queue(QueueUrl=q, Tags={"flow": "orders"})
out["queue"] = queue_arn

sns = client("sns")
topic = sns.create_topic(Name="alerts", Tags=[{"Key": "severity", "Value": "high"}])["TopicArn"]
sns.set_topic_attributes(
    TopicArn=topic,
    AttributeName="Policy",
    AttributeValue=doc([{"Sid": "BobPublishes", "Effect": "Allow", "Principal": {"AWS": bob}, "Action": "sns:Publish", "Resource": topic}]),
)
out["topic"] = topic

sm = client("secretsmanager")
secret = sm.create_secret(Name="db-password", SecretString="x", Tags=[{"Key": "db", "Value": "orders"}])["ARN"]
sm.put_resource_policy(
    SecretId=secret,
    ResourcePolicy=doc([{"Sid": "BobReads", "Effect": "Allow", "Principal": {"AWS": bob}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]),
)
out["secret"] = secret

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("index.py", "def handler(event, context):\n    return 1\n")
lam = client("lambda")
fn = lam.create_function(
    FunctionName="order-handler", Runtime="python3.12", Role=role, Handler="index.handler",
    Code={"ZipFile": buf.getvalue()}, Tags={"app": "orders"},
)["FunctionArn"]
lam.add_permission(FunctionName="order-handler", StatementId="sns", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com", SourceArn=topic)
version = lam.publish_version(FunctionName="order-handler")["Version"]
lam.create_alias(FunctionName="order-handler", Name="live", FunctionVersion=version)
lam.add_permission(FunctionName="order-handler", Qualifier="live", StatementId="bob", Action="lambda:InvokeFunction", Principal=member)
out["function"] = fn
out["function_version"] = version

ecr = client("ecr")
repo = ecr.create_repository(repositoryName="orders-api", tags=[{"Key": "app", "Value": "orders"}])["repository"]["repositoryArn"]
ecr.set_repository_policy(
    repositoryName="orders-api",
    policyText=doc([{"Sid": "BobPulls", "Effect": "Allow", "Principal": {"AWS": bob}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]),
)
out["repository"] = repo

ev = client("events")
bus = ev.create_event_bus(Name="orders-bus")["EventBusArn"]
ev.put_permission(EventBusName="orders-bus", Action="events:PutEvents", Principal=member, StatementId="member")
out["bus"] = bus

es = client("opensearch")
domain = es.create_domain(
    DomainName="orders-search",
    AccessPolicies=doc([{"Effect": "Allow", "Principal": {"AWS": bob}, "Action": "es:ESHttpGet", "Resource": f"arn:aws:es:{REGION}:{MGMT}:domain/orders-search/*"}]),
)["DomainStatus"]["ARN"]
out["domain"] = domain

apigw = client("apigateway")
api = apigw.create_rest_api(
    name="orders",
    policy=doc([{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]),
    tags={"app": "orders"},
)["id"]
out["rest_api"] = f"arn:aws:execute-api:{REGION}:{MGMT}:{api}"

ec2 = client("ec2")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
vpce = ec2.create_vpc_endpoint(
    VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3", VpcEndpointType="Gateway",
    PolicyDocument=doc([{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]),
)["VpcEndpoint"]["VpcEndpointId"]
out["vpce"] = vpce

# --- The member account, through the organization's role -----------------------------------
sts = client("sts", "us-east-1")
c = sts.assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
member_creds = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
miam = client("iam", "us-east-1", member_creds)
miam.create_user(UserName="bob")
miam.put_user_policy(
    UserName="bob",
    PolicyName="Everything",
    PolicyDocument=doc([{"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}]),
)
msqs = client("sqs", REGION, member_creds)
msqs.create_queue(QueueName="member-jobs")
out["member_queue"] = f"arn:aws:sqs:{REGION}:{member}:member-jobs"

print(json.dumps(out))
