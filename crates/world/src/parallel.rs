//! Work spread over the machine's cores: loading compiles a world's policies on every core, and
//! the analyses (crate `iamwhy-analyze`) ask their questions of many principals at once. Plain
//! scoped threads, one contiguous chunk of the input each, results in input order.

/// How many threads to use: `IAMWHY_THREADS` when set to a positive number, else the
/// machine's cores.
pub fn threads() -> usize {
    static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *N.get_or_init(|| {
        std::env::var("IAMWHY_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// Inputs smaller than this run on the calling thread (a thread costs more than the work).
const SMALL: usize = 32;

/// `f` over `items` on [`threads`] scoped threads, each with its own scratch state made by
/// `init` (reused across the items of its chunk, so that buffers need not be rebuilt per
/// item), in order. Small inputs run on the calling thread.
///
/// ```
/// let squares = iamwhy_world::parallel::par_map_with(&[1, 2, 3], Vec::new, |seen: &mut Vec<i32>, &x| {
///     seen.push(x);
///     x * x
/// });
/// assert_eq!(squares, [1, 4, 9]);
/// ```
pub fn par_map_with<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = threads().min(items.len());
    if threads <= 1 || items.len() < SMALL {
        let mut state = init();
        return items.iter().map(|t| f(&mut state, t)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let (f, init) = (&f, &init);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| {
                s.spawn(move || {
                    let mut state = init();
                    c.iter().map(|t| f(&mut state, t)).collect::<Vec<R>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            out.extend(h.join().expect("a worker thread panicked"));
        }
        out
    })
}

/// `f` over `items` on [`threads`] scoped threads (one chunk each), in order. Small inputs run
/// on the calling thread.
///
/// ```
/// assert_eq!(iamwhy_world::parallel::par_map(&[1, 2, 3], |x| x + 1), [2, 3, 4]);
/// ```
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    par_map_with(items, || (), |(), t| f(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order_whatever_the_chunking() {
        for n in [0, 1, SMALL - 1, SMALL, 1000, 1001] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(
                par_map(&items, |x| x * 2),
                items.iter().map(|x| x * 2).collect::<Vec<_>>()
            );
        }
    }
}
