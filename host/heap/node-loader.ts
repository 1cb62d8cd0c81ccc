// node-loader.ts: Heap.create's default module source in Node: the package's
// build/<build>.wasm (or a path or file: URL), read from the file system. Importing this file
// registers it; the Node entry (index.ts) and the Node tools do.

import { fileURLToPath } from 'node:url';
import { compileModule } from '../core/module.js';
import { setModuleLoader } from './open.js';

setModuleLoader((build, source) => compileModule(build, source instanceof URL ? fileURLToPath(source) : source));
