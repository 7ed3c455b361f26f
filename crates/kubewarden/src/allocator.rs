//! The module's one allocator: talc, for Rust's allocations and for the few
//! that wasi-libc makes in C (the environment and the working directory, read
//! when a panic message is printed). Otherwise wasi-libc links its dlmalloc,
//! about 9 KB of the module (BENCHMARKS.md "Policy hosts").
//!
//! C's `free` and `realloc` are not told the size, so every C allocation
//! starts with a header that holds its size and alignment.

use std::alloc::{GlobalAlloc, Layout};
use std::ptr;

/// What `malloc` aligns to: any object fits (wasm32's `long double` is 16 bytes).
pub const C_ALIGN: usize = 16;

/// wasi-libc's `errno` values, for `posix_memalign`.
const EINVAL: i32 = 28;
const ENOMEM: i32 = 48;

/// `size` bytes aligned to `align` (a power of two), zeroed if asked; null if
/// that cannot be had.
///
/// # Safety
/// As `GlobalAlloc::alloc`; the block must be released with [`free`].
pub unsafe fn alloc(heap: &impl GlobalAlloc, size: usize, align: usize, zeroed: bool) -> *mut u8 {
    // The header takes the two words before the block, inside its leading `align` bytes.
    let align = align.max(C_ALIGN);
    let Some(layout) = size.checked_add(align).and_then(|total| Layout::from_size_align(total, align).ok()) else {
        return ptr::null_mut();
    };
    let base = if zeroed { heap.alloc_zeroed(layout) } else { heap.alloc(layout) };
    if base.is_null() {
        return base;
    }
    let block = base.add(align);
    let header = block.cast::<usize>();
    header.sub(2).write(size);
    header.sub(1).write(align);
    block
}

/// The size and alignment `alloc` recorded for `block`.
unsafe fn header(block: *mut u8) -> (usize, usize) {
    let header = block.cast::<usize>();
    (header.sub(2).read(), header.sub(1).read())
}

/// # Safety
/// `block` is null or came from [`alloc`] on the same heap and was not freed.
pub unsafe fn free(heap: &impl GlobalAlloc, block: *mut u8) {
    if block.is_null() {
        return;
    }
    let (size, align) = header(block);
    heap.dealloc(block.sub(align), Layout::from_size_align_unchecked(size + align, align));
}

/// C's `realloc`: a new block with the old contents, the old one freed; on
/// failure null, and the old block is kept.
///
/// # Safety
/// As [`free`] for `block`.
pub unsafe fn realloc(heap: &impl GlobalAlloc, block: *mut u8, size: usize) -> *mut u8 {
    if block.is_null() {
        return alloc(heap, size, C_ALIGN, false);
    }
    let (old_size, align) = header(block);
    let moved = alloc(heap, size, align, false);
    if !moved.is_null() {
        ptr::copy_nonoverlapping(block, moved, old_size.min(size));
        free(heap, block);
    }
    moved
}

/// C's `posix_memalign`: 0, or the `errno` value of the failure.
///
/// # Safety
/// `out` is valid for a write.
pub unsafe fn posix_memalign(heap: &impl GlobalAlloc, out: *mut *mut u8, align: usize, size: usize) -> i32 {
    if !align.is_power_of_two() || align % size_of::<usize>() != 0 {
        return EINVAL;
    }
    match alloc(heap, size, align, false) {
        block if block.is_null() => ENOMEM,
        block => {
            out.write(block);
            0
        }
    }
}

#[cfg(target_os = "wasi")]
mod module {
    //! The allocator and the C functions wasi-libc links against.

    use talc::wasm::{new_wasm_dynamic_allocator, WasmDynamicTalc};

    #[global_allocator]
    static TALC: WasmDynamicTalc = new_wasm_dynamic_allocator();

    #[no_mangle]
    unsafe extern "C" fn malloc(size: usize) -> *mut u8 {
        super::alloc(&TALC, size, super::C_ALIGN, false)
    }

    #[no_mangle]
    unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut u8 {
        match count.checked_mul(size) {
            Some(total) => super::alloc(&TALC, total, super::C_ALIGN, true),
            None => std::ptr::null_mut(),
        }
    }

    #[no_mangle]
    unsafe extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut u8 {
        // `alloc` raises small alignments to C_ALIGN, so refuse a bad one here.
        if align.is_power_of_two() {
            super::alloc(&TALC, size, align, false)
        } else {
            std::ptr::null_mut()
        }
    }

    #[no_mangle]
    unsafe extern "C" fn posix_memalign(out: *mut *mut u8, align: usize, size: usize) -> i32 {
        super::posix_memalign(&TALC, out, align, size)
    }

    #[no_mangle]
    unsafe extern "C" fn realloc(block: *mut u8, size: usize) -> *mut u8 {
        super::realloc(&TALC, block, size)
    }

    #[no_mangle]
    unsafe extern "C" fn free(block: *mut u8) {
        super::free(&TALC, block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;

    #[test]
    fn blocks_are_aligned_and_keep_their_contents() {
        unsafe {
            for align in [1, 8, C_ALIGN, 64, 4096] {
                let block = alloc(&System, 100, align, false);
                assert!(!block.is_null());
                assert_eq!(block as usize % align.max(C_ALIGN), 0, "align {align}");
                ptr::write_bytes(block, 0xAB, 100);
                let grown = realloc(&System, block, 1000);
                assert_eq!(grown as usize % align.max(C_ALIGN), 0, "realloc keeps align {align}");
                assert!((0..100).all(|i| *grown.add(i) == 0xAB));
                let shrunk = realloc(&System, grown, 10);
                assert!((0..10).all(|i| *shrunk.add(i) == 0xAB));
                free(&System, shrunk);
            }
        }
    }

    #[test]
    fn zeroed_null_and_impossible_requests() {
        unsafe {
            let block = alloc(&System, 256, C_ALIGN, true);
            assert!((0..256).all(|i| *block.add(i) == 0));
            free(&System, block);
            free(&System, ptr::null_mut());
            let fresh = realloc(&System, ptr::null_mut(), 8);
            assert!(!fresh.is_null());
            free(&System, fresh);
            assert!(alloc(&System, usize::MAX - 8, C_ALIGN, false).is_null(), "size + header overflows");
            assert!(alloc(&System, 8, 24, false).is_null(), "not a power of two");
        }
    }

    #[test]
    fn posix_memalign_reports_errno() {
        unsafe {
            let mut block = ptr::null_mut();
            assert_eq!(posix_memalign(&System, &mut block, 32, 40), 0);
            assert_eq!(block as usize % 32, 0);
            free(&System, block);
            assert_eq!(posix_memalign(&System, &mut block, 2, 40), EINVAL, "below a pointer's size");
            assert_eq!(posix_memalign(&System, &mut block, 48, 40), EINVAL, "not a power of two");
            assert_eq!(posix_memalign(&System, &mut block, 16, usize::MAX - 8), ENOMEM);
        }
    }
}
