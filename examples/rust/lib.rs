// lib.rs: a Rust program that uses hakmem-wasm as its global allocator.
//
// A `#![no_std]` cdylib for wasm32 with shared memory: `Vec`, `Box`, `String` and every other
// `alloc` type go through the C allocation functions, imported from module "env" like a C
// program's (include/hakmem.h), so `hakmem-wasm link` merges the allocator in, or an embedder
// binds the imports to an allocator instance at run time. Each thread is one instance of the
// module over one shared memory.
//
// Exports:
//   work(index, rounds) -> checksum   a verified workload; the checksum depends on `rounds`
//                                     only, so every thread returns the same value, or
//                                     0xBAD0_0000 | errors if something read back wrong
//   calls() -> n                      how many times work() ran, on any thread (an atomic)
//
// Build: `node scripts/rust-example.mjs` (Debian's rustc 1.63 with rust-src and
// librust-compiler-builtins-dev, offline). It first rebuilds core, compiler_builtins and
// alloc with the atomics feature into a private sysroot, then compiles this file with
//   rustc --target wasm32-unknown-unknown --crate-type cdylib -O -C panic=abort
//     -C target-feature=+atomics,+bulk-memory,+mutable-globals
//     -C link-arg=--shared-memory -C link-arg=--import-memory
//     -C link-arg=--max-memory=4294967296 -C link-arg=--export=__stack_pointer
// (rustc exports __heap_base and the TLS symbols itself). See README "Rust" and
// examples/rust/README.md.

#![no_std]
// rustc 1.63 needs this for `alloc` without std (stable since 1.68).
#![feature(default_alloc_error_handler)]

extern crate alloc;

/// The global allocator: hakmem-wasm through its C interface. Self-contained, so it can be
/// copied into another crate as it is.
mod hakmem {
    use core::alloc::{GlobalAlloc, Layout};
    use core::ptr;

    #[link(wasm_import_module = "env")]
    extern "C" {
        fn malloc(size: usize) -> *mut u8;
        fn free(ptr: *mut u8);
        fn aligned_alloc(align: usize, size: usize) -> *mut u8;
        fn realloc(ptr: *mut u8, size: usize) -> *mut u8;
        fn calloc(n: usize, size: usize) -> *mut u8;
    }

    /// Does malloc's alignment meet `align` for a block of `size` bytes? hakmem-wasm aligns
    /// every block of 16 bytes or more to 16, smaller ones to 8 (include/hakmem.h).
    #[inline]
    fn malloc_aligns(align: usize, size: usize) -> bool {
        align <= 8 || (align <= 16 && size >= 16)
    }

    pub struct Hakmem;

    unsafe impl GlobalAlloc for Hakmem {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if malloc_aligns(layout.align(), layout.size()) {
                malloc(layout.size())
            } else {
                aligned_alloc(layout.align(), layout.size())
            }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            if malloc_aligns(layout.align(), layout.size()) {
                calloc(1, layout.size())
            } else {
                let p = aligned_alloc(layout.align(), layout.size());
                if !p.is_null() {
                    ptr::write_bytes(p, 0, layout.size());
                }
                p
            }
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
            free(ptr)
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // The C realloc returns a block aligned as malloc(new_size) would be, so the
            // condition is checked for the new size (a 16-aligned layout shrunk below 16 bytes
            // could otherwise come back 8-aligned).
            if malloc_aligns(layout.align(), new_size) {
                return realloc(ptr, new_size);
            }
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let q = self.alloc(new_layout);
            if !q.is_null() {
                ptr::copy_nonoverlapping(ptr, q, core::cmp::min(layout.size(), new_size));
                free(ptr);
            }
            q
        }
    }
}

#[global_allocator]
static GLOBAL: hakmem::Hakmem = hakmem::Hakmem;

/// No unwinding on wasm32 without std: a panic (an index out of bounds, an allocation that
/// failed) traps, and the host reports the trap of that thread.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

// ---- the workload ------------------------------------------------------------------------

use alloc::alloc::{alloc_zeroed, dealloc};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::alloc::Layout;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

/// work() calls on every thread (in the module's BSS, shared by all instances).
static CALLS: AtomicU32 = AtomicU32::new(0);

/// A one-slot mailbox between threads: each round swaps its parcel for the one in the slot,
/// so blocks allocated by one thread are checked and freed by another.
static MAILBOX: AtomicPtr<Parcel> = AtomicPtr::new(ptr::null_mut());

/// A block that travels between threads; its words derive from its tag.
struct Parcel {
    tag: u32,
    words: Vec<u32>,
}

/// Error code of a failed run: this bit pattern | the number of mismatches (a checksum is
/// always below 0x8000_0000, so the two never collide).
const BAD: u32 = 0xBAD0_0000;
const MIB: usize = 1 << 20;

/// A 32-bit hash: a well-mixed value for each (round, position).
#[inline]
fn hash(mut x: u32) -> u32 {
    x = (x ^ (x >> 15)).wrapping_mul(0x2c1b_3c6d);
    x = (x ^ (x >> 12)).wrapping_mul(0x297a_2d39);
    x ^ (x >> 15)
}

#[repr(C, align(16))]
#[derive(Clone, Copy)]
struct Align16([u32; 4]);

#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct Align64([u32; 16]);

/// Counts mismatches and folds values into the checksum.
struct Run {
    sum: u32,
    errors: u32,
}

impl Run {
    #[inline]
    fn add(&mut self, v: u32) {
        self.sum = hash(self.sum ^ v).wrapping_add(v);
    }
    #[inline]
    fn expect(&mut self, ok: bool) {
        if !ok {
            self.errors += 1;
        }
    }
    fn aligned<T>(&mut self, p: *const T, align: usize) {
        self.expect(p as usize % align == 0);
    }
}

/// A vector grown one push at a time (realloc of the 8-aligned kind), then shrunk into a
/// boxed slice.
fn vec_and_box(run: &mut Run, h: u32) {
    let n = 1 + (h % 3000) as usize;
    let mut v: Vec<u32> = Vec::new();
    for i in 0..n {
        v.push(h.wrapping_add(i as u32));
    }
    run.expect(v.len() == n);
    let b: Box<[u32]> = v.into_boxed_slice();
    let mut ok = b.len() == n;
    for (i, &w) in b.iter().enumerate() {
        ok &= w == h.wrapping_add(i as u32);
    }
    run.expect(ok);
    run.add(b.len() as u32);
    run.add(b[n / 2]);
}

/// A string grown from ASCII and multi-byte characters.
fn string(run: &mut Run, h: u32) {
    let n = (h % 200) as usize;
    let mut s = String::new();
    for i in 0..n {
        match (h as usize + i) % 3 {
            0 => s.push((b'a' + (i % 26) as u8) as char),
            1 => s.push('é'),
            _ => s.push_str("hakmem"),
        }
    }
    let mut expected = 0;
    for i in 0..n {
        expected += [1, 2, 6][(h as usize + i) % 3];
    }
    run.expect(s.len() == expected);
    run.expect(s.chars().filter(|&c| c == 'é').count() == (0..n).filter(|i| (h as usize + i) % 3 == 1).count());
    let mut t = s.clone();
    t.push_str(&s);
    run.expect(t.len() == 2 * s.len() && t.starts_with(s.as_str()) && t.ends_with(s.as_str()));
    run.add(t.bytes().fold(0u32, |a, c| a.wrapping_mul(31).wrapping_add(c as u32)));
}

/// Over-aligned types: Box of a 64-byte-aligned value, vectors of 16- and 64-byte-aligned
/// elements grown by push (the 64-byte one goes through allocate + copy + free), and a
/// zeroed 4096-byte-aligned block through the raw allocation API.
fn aligned(run: &mut Run, h: u32) {
    let b = Box::new(Align64([h; 16]));
    run.aligned(&*b, 64);
    run.expect(b.0.iter().all(|&w| w == h));
    run.add(b.0[15]);

    let n = 1 + (h % 100) as usize;
    let mut v16: Vec<Align16> = Vec::new();
    let mut v64: Vec<Align64> = Vec::new();
    for i in 0..n {
        v16.push(Align16([i as u32; 4]));
        v64.push(Align64([h ^ i as u32; 16]));
        run.aligned(v16.as_ptr(), 16);
        run.aligned(v64.as_ptr(), 64);
    }
    let mut ok = true;
    for i in 0..n {
        ok &= v16[i].0 == [i as u32; 4] && v64[i].0 == [h ^ i as u32; 16];
    }
    run.expect(ok);
    v64.truncate(1);
    v64.shrink_to_fit();
    run.aligned(v64.as_ptr(), 64);
    run.expect(v64[0].0 == [h; 16]);
    run.add(v16.len() as u32 + v64.len() as u32);

    let size = 4096 + (h % 5000) as usize;
    let layout = Layout::from_size_align(size, 4096).unwrap();
    unsafe {
        let p = alloc_zeroed(layout);
        run.expect(!p.is_null());
        if p.is_null() {
            return;
        }
        run.aligned(p, 4096);
        let bytes = core::slice::from_raw_parts_mut(p, size);
        run.expect(bytes.iter().all(|&c| c == 0));
        for (i, c) in bytes.iter_mut().enumerate() {
            *c = (h as usize + i) as u8;
        }
        run.expect(bytes.iter().enumerate().all(|(i, &c)| c == (h as usize + i) as u8));
        run.add(bytes[size - 1] as u32);
        dealloc(p, layout);
    }
}

/// Vectors past 1 MiB (hakmem-wasm's huge spans): a zeroed one (calloc), filled, then grown
/// by realloc; every word is checked.
fn large(run: &mut Run, h: u32) {
    let n = (MIB + MIB / 4 + (h as usize % (MIB / 4))) / 4;
    let mut v: Vec<u32> = vec![0; n];
    run.expect(v.iter().all(|&w| w == 0));
    for (i, w) in v.iter_mut().enumerate() {
        *w = h ^ i as u32;
    }
    v.resize(n + MIB / 4, h);
    let mut ok = v.len() == n + MIB / 4;
    for (i, &w) in v.iter().enumerate() {
        ok &= w == if i < n { h ^ i as u32 } else { h };
    }
    run.expect(ok);
    run.add(v.len() as u32);
}

/// Check a parcel (allocated by any thread, in any round) and free it here.
fn receive(run: &mut Run, parcel: *mut Parcel) {
    if parcel.is_null() {
        return;
    }
    let p = unsafe { Box::from_raw(parcel) };
    let mut ok = p.words.len() == 1 + (p.tag % 500) as usize;
    for (i, &w) in p.words.iter().enumerate() {
        ok &= w == hash(p.tag.wrapping_add(i as u32));
    }
    run.expect(ok);
}

/// Send a parcel for round `h` and check and free the one it replaces.
fn exchange(run: &mut Run, h: u32) {
    let n = 1 + (h % 500) as usize;
    let words: Vec<u32> = (0..n as u32).map(|i| hash(h.wrapping_add(i))).collect();
    let mine = Box::into_raw(Box::new(Parcel { tag: h, words }));
    let theirs = MAILBOX.swap(mine, Ordering::AcqRel);
    receive(run, theirs);
}

/// The workload of one thread: `rounds` rounds of every kind of allocation above. Returns
/// the checksum (the same for a given `rounds` on every thread), or BAD | mismatches.
#[no_mangle]
pub extern "C" fn work(_index: u32, rounds: u32) -> u32 {
    CALLS.fetch_add(1, Ordering::Relaxed);
    let mut run = Run { sum: rounds, errors: 0 };
    for round in 0..rounds {
        let h = hash(round.wrapping_add(0x9e37_79b9));
        vec_and_box(&mut run, h);
        string(&mut run, h);
        aligned(&mut run, h);
        if round % 16 == 0 {
            large(&mut run, h);
        }
        exchange(&mut run, h);
    }
    // The last thread to get here leaves the mailbox empty: every thread's final swap comes
    // after all of its own sends.
    receive(&mut run, MAILBOX.swap(ptr::null_mut(), Ordering::AcqRel));
    if run.errors != 0 {
        BAD | run.errors.min(0xF_FFFF)
    } else {
        run.sum & 0x7fff_ffff
    }
}

/// How many times work() ran, on any thread.
#[no_mangle]
pub extern "C" fn calls() -> u32 {
    CALLS.load(Ordering::Relaxed)
}
