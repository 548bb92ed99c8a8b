/**
 * Where large values live instead of workflow histories. Content-addressed: a value's key is
 * its SHA-256, so writing it twice (a retry, two tasks with the same input) stores it once.
 * The folder store serves one machine, or several sharing a volume; the interface is small
 * enough for an object store to stand behind it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BlobStore {
  /** Stores the bytes; returns their key. */
  put(data: Uint8Array): Promise<string>;
  get(key: string): Promise<Uint8Array>;
}

export class BlobNotFound extends Error {
  override name = 'BlobNotFound';
}

const KEY = /^[0-9a-f]{64}$/;

export function createFolderBlobStore(dir: string): BlobStore {
  const pathOf = (key: string) => {
    if (!KEY.test(key)) throw new BlobNotFound(`not a blob key: ${key.slice(0, 80)}`);
    return join(dir, key.slice(0, 2), key);
  };

  return {
    async put(data) {
      const key = createHash('sha256').update(data).digest('hex');
      const path = pathOf(key);
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
        // Written aside and renamed, so a reader never sees half a blob.
        const partial = `${path}.${randomUUID()}.partial`;
        await writeFile(partial, data);
        await rename(partial, path);
      }
      return key;
    },

    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new BlobNotFound(`blob ${key} is not in ${dir}`, { cause: error });
        }
        throw error;
      }
    },
  };
}
