// hakmem-emscripten.js: an Emscripten --js-library for programs that use hakmem-wasm as their
// malloc (-sMALLOC=none; see README "Emscripten"). It declares the malloc family as provided,
// so emcc leaves them as wasm imports (which `hakmem-wasm link` then binds to the merged-in
// allocator), and gives JavaScript callers (Emscripten's own runtime code, EM_ASM, ccall
// string arguments) the allocator's exports under the usual _malloc / _free names.
var LibraryHakmem = {};
[
  ['malloc', 'malloc'], ['free', 'free'], ['calloc', 'calloc'], ['realloc', 'realloc'],
  ['aligned_alloc', 'aligned_alloc'], ['posix_memalign', 'posix_memalign'],
  ['memalign', 'memalign'], ['malloc_usable_size', 'malloc_usable_size'],
  ['emscripten_builtin_malloc', 'malloc'], ['emscripten_builtin_free', 'free'],
  ['emscripten_builtin_memalign', 'memalign'],
].forEach(function (pair) {
  LibraryHakmem[pair[0]] = new Function('return Module["asm"]["hakmem_' + pair[1] + '"].apply(null, arguments);');
});
mergeInto(LibraryManager.library, LibraryHakmem);
