import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payload } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { createBlobCodec } from './blob-codec.ts';
import { createFolderBlobStore } from './blob-store.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function codec(threshold = 16) {
  const dir = await mkdtemp(join(tmpdir(), 'ackflow-codec-'));
  dirs.push(dir);
  return createBlobCodec(createFolderBlobStore(dir), threshold);
}

const json = (value: unknown): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(value)),
});

describe('the blob codec', () => {
  it('leaves small payloads as they are', async () => {
    const small = json('short');
    expect(await (await codec()).encode([small])).toEqual([small]);
  });

  it('moves a large payload to the store and brings it back whole', async () => {
    const blobs = await codec();
    const large = json('x'.repeat(100));
    const [reference] = await blobs.encode([large]);
    expect(reference!.data!.length).toBe(64);
    const [back] = await blobs.decode([reference!]);
    expect(back!.metadata).toEqual(large.metadata);
    expect(Buffer.from(back!.data!).equals(large.data!)).toBe(true);
  });

  it('passes the empty array the SDK gives for a workflow that returns nothing', async () => {
    // Regression: sizing `data` by byteLength made this a blob write that threw, so every
    // workflow returning void failed its last workflow task forever.
    const nothing = { metadata: { encoding: new TextEncoder().encode('binary/null') }, data: [] };
    const encoded = await (await codec()).encode([nothing as unknown as Payload]);
    expect(encoded).toEqual([nothing]);
  });

  it('stores a large payload given as a plain array as its bytes', async () => {
    const blobs = await codec();
    const bytes = Array.from({ length: 40 }, (_, i) => i);
    const given = { metadata: {}, data: bytes } as unknown as Payload;
    const [reference] = await blobs.encode([given]);
    const [back] = await blobs.decode([reference!]);
    expect(Array.from(back!.data!)).toEqual(bytes);
  });
});
