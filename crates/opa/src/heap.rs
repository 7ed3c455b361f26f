//! The module's whole heap: a bump allocator whose top is the OPA ABI's heap
//! pointer. The host reads it with `opa_heap_ptr_get` after loading data and
//! sets it back before each evaluation (`opa_heap_ptr_set`, or the `heap_ptr`
//! argument of `opa_eval`), which frees everything the evaluation allocated
//! at once: memory stays flat however many evaluations run.
//!
//! Consequence: nothing may allocate memory that must outlive an evaluation
//! (no lazily initialised statics in this module or the core).

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;

const PAGE: usize = 65_536;

extern "C" {
    /// Set by the linker: the first byte after the stack and static data.
    static __heap_base: u8;
}

pub struct BumpHeap {
    /// 0 until the first use, then the first free byte.
    top: Cell<usize>,
}

// wasm32-unknown-unknown without the atomics feature has a single thread.
unsafe impl Sync for BumpHeap {}

#[global_allocator]
pub static HEAP: BumpHeap = BumpHeap { top: Cell::new(0) };

impl BumpHeap {
    pub fn top(&self) -> usize {
        match self.top.get() {
            0 => {
                let base = core::ptr::addr_of!(__heap_base) as usize;
                self.top.set(base);
                base
            }
            top => top,
        }
    }

    pub fn set_top(&self, top: usize) {
        self.top.set(top);
    }

    /// Takes `size` bytes aligned to `align`, growing memory as needed;
    /// null when memory cannot grow.
    pub fn take(&self, size: usize, align: usize) -> *mut u8 {
        let start = (self.top() + align - 1) & !(align - 1);
        let Some(end) = start.checked_add(size) else { return core::ptr::null_mut() };
        if !ensure_memory(end) {
            return core::ptr::null_mut();
        }
        self.top.set(end);
        start as *mut u8
    }
}

/// Grows the memory so that `end` is in bounds. The host may grow it too (the
/// ABI 1.2 loader writes the input past the heap pointer), so read the size
/// each time rather than remembering it.
fn ensure_memory(end: usize) -> bool {
    let have = wasm32::memory_size(0) * PAGE;
    if end <= have {
        return true;
    }
    let pages = (end - have).div_ceil(PAGE);
    wasm32::memory_grow(0, pages) != usize::MAX
}

unsafe impl GlobalAlloc for BumpHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.take(layout.size(), layout.align())
    }

    /// Only the most recent allocation can be given back; the rest waits for
    /// the heap pointer to be reset.
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == self.top.get() {
            self.top.set(ptr as usize);
        }
    }

    /// Growing the most recent allocation (a `String` being written) happens in place.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        if start + layout.size() == self.top.get() {
            let Some(end) = start.checked_add(new_size) else { return core::ptr::null_mut() };
            if !ensure_memory(end) {
                return core::ptr::null_mut();
            }
            self.top.set(end);
            return ptr;
        }
        let new = self.take(new_size, layout.align());
        if !new.is_null() {
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
        }
        new
    }
}
