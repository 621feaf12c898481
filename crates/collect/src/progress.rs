//! Progress on a terminal: an overall bar of accounts and regions done, and one bar per
//! account/region in progress (removed when it finishes). Hidden entirely when disabled
//! (pipes, tests).

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress display of one collection.
pub struct Progress {
    multi: Option<MultiProgress>,
    overall: ProgressBar,
}

impl Progress {
    /// Visible bars on standard error when `enabled` (indicatif also stays silent when
    /// standard error is not a terminal).
    pub fn new(enabled: bool) -> Progress {
        if !enabled {
            return Progress {
                multi: None,
                overall: ProgressBar::hidden(),
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        overall.set_prefix("collecting");
        Progress {
            multi: Some(multi),
            overall,
        }
    }

    /// Announce `n` more units (an account's global part, or one of its regions).
    pub fn add_units(&self, n: u64) {
        self.overall.inc_length(n);
    }

    /// Count `n` announced units as done without running them (an account that was skipped).
    pub fn skip(&self, n: u64) {
        self.overall.inc(n);
    }

    /// A bar for one unit with `steps` services; finish it with [`Unit::done`].
    pub fn unit(&self, label: String, steps: u64) -> Unit {
        let bar = match &self.multi {
            Some(m) => {
                let b = m.add(ProgressBar::new(steps));
                b.set_style(
                    ProgressStyle::with_template("{prefix:>28} [{bar:20}] {pos}/{len} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                b.set_prefix(label);
                b
            }
            None => ProgressBar::hidden(),
        };
        Unit {
            bar,
            overall: self.overall.clone(),
        }
    }

    /// Remove the bars.
    pub fn finish(&self) {
        self.overall.finish_and_clear();
        if let Some(m) = &self.multi {
            let _ = m.clear();
        }
    }
}

/// The bar of one account/region.
pub struct Unit {
    bar: ProgressBar,
    overall: ProgressBar,
}

impl Unit {
    /// Show which service is being read.
    pub fn step(&self, service: &'static str) {
        self.bar.set_message(service);
    }

    /// One service done.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// The unit is complete.
    pub fn done(self) {
        self.bar.finish_and_clear();
        self.overall.inc(1);
    }
}
