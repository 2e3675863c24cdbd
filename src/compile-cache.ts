// Imported first by the entry point: on Node 22.1 and later, V8's compiled code of every module
// loaded afterwards is kept on disk (NODE_COMPILE_CACHE, else the system's temporary folder), so
// that the next start, and each cluster worker, skips most of the compiling. Node 20 has no such
// cache: there this does nothing.
import * as nodeModule from 'node:module';

const enable = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
if (typeof enable === 'function' && process.env.NODE_DISABLE_COMPILE_CACHE === undefined) {
  try {
    enable();
  } catch {
    // a cache that cannot be written is only a slower start
  }
}
