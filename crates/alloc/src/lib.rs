//! The global allocator of iamwhy's binaries: mimalloc, called through its plain entry points
//! (`mi_malloc`, `mi_zalloc`, `mi_realloc`) when the alignment asked for is at most 8 bytes,
//! and through its aligned ones otherwise (see the README for why).
//!
//! ```
//! #[global_allocator]
//! static GLOBAL: iamwhy_alloc::Mimalloc = iamwhy_alloc::Mimalloc;
//!
//! let v: Vec<u64> = (0..1000).collect();
//! assert_eq!(v.iter().sum::<u64>(), 499_500);
//! ```

// `GlobalAlloc` can only be implemented with `unsafe`; this crate is the workspace's one
// exception to its `unsafe_code = "deny"`, and holds nothing else.
#![allow(unsafe_code)]

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The largest alignment every mimalloc block has: blocks are whole 8-byte words, and the
/// first block of every page is 16-byte aligned (mimalloc's `MI_PAGE_MIN_START_BLOCK_ALIGN`),
/// so every block address is a multiple of 8.
const PLAIN_ALIGN: usize = 8;

/// mimalloc as a Rust global allocator.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mimalloc;

// SAFETY: every method returns memory from mimalloc (or null on failure) of at least the
// layout's size, aligned as the layout asks: by the plain functions only when the alignment is
// at most `PLAIN_ALIGN`, which every mimalloc block satisfies, else by the aligned functions.
// `dealloc` and `realloc` are given only pointers this allocator returned, and `mi_free` /
// `mi_realloc` accept a pointer from either family.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain C calls with a size (and a power-of-two alignment, as `Layout`
        // guarantees); they return null or a block of at least that size.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`; the block is zeroed.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (the caller's contract), so from mimalloc.
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the new block keeps its
        // alignment, by the same rule as `alloc`.
        unsafe {
            if layout.align() <= PLAIN_ALIGN {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes up to 4 KiB (every seventh, and the alignment and its double) at every
    /// power-of-two alignment from 1 to 4,096 come back aligned and keep what is written to
    /// them through a grow and a shrink; zeroed blocks are zero. Blocks are kept alive
    /// together (so pages fill and the allocator's slower paths run) before they are freed.
    #[test]
    fn sizes_and_alignments_are_honoured_through_realloc() {
        let a = Mimalloc;
        for align in (0..=12).map(|k| 1usize << k) {
            let mut live = Vec::new();
            for size in (1..=4096).step_by(7).chain([align, 2 * align]) {
                let layout = Layout::from_size_align(size, align).expect("a layout");
                // SAFETY: a non-zero size; the block is used within its size and freed once
                // with its layout (after `realloc`, with the new size).
                unsafe {
                    let zeroed = size % 2 == 0;
                    let p = if zeroed {
                        a.alloc_zeroed(layout)
                    } else {
                        a.alloc(layout)
                    };
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    if zeroed {
                        assert!(std::slice::from_raw_parts(p, size).iter().all(|&b| b == 0));
                    }
                    std::ptr::write_bytes(p, 0xA5, size);
                    let grown = a.realloc(p, layout, size * 3);
                    assert_eq!(
                        grown as usize % align,
                        0,
                        "grown, size {size} align {align}"
                    );
                    assert!(
                        std::slice::from_raw_parts(grown, size)
                            .iter()
                            .all(|&b| b == 0xA5)
                    );
                    let small = (size / 2).max(1);
                    let layout3 = Layout::from_size_align(size * 3, align).expect("a layout");
                    let shrunk = a.realloc(grown, layout3, small);
                    assert_eq!(
                        shrunk as usize % align,
                        0,
                        "shrunk, size {size} align {align}"
                    );
                    assert!(
                        std::slice::from_raw_parts(shrunk, small)
                            .iter()
                            .all(|&b| b == 0xA5)
                    );
                    live.push((
                        shrunk,
                        Layout::from_size_align(small, align).expect("a layout"),
                    ));
                }
            }
            for (p, layout) in live {
                // SAFETY: each block is freed once, with the layout it was last given.
                unsafe { a.dealloc(p, layout) }
            }
        }
    }
}
