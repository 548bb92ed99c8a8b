/**
 * A payload codec that keeps large values out of Temporal: any payload over the threshold
 * (256 KB) is written to the blob store and replaced by a small reference, and read back
 * when decoded. Gateways and workers install the same codec over the same store, so
 * workflow code sees whole values while histories hold only references.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { BlobStore } from './blob-store.ts';

/** Payloads larger than this travel by reference. */
export const BLOB_THRESHOLD_BYTES = 256 * 1024;

const REFERENCE_ENCODING = 'ackflow/blob-ref';
const ORIGINAL = 'ackflow-original-';
const text = new TextEncoder();
const untext = new TextDecoder();

export function createBlobCodec(store: BlobStore, threshold = BLOB_THRESHOLD_BYTES): PayloadCodec {
  return {
    async encode(payloads) {
      return Promise.all(
        payloads.map(async (payload): Promise<Payload> => {
          // The SDK hands some payloads over with `data` as a plain array (an empty one for a
          // workflow that returns nothing), so size it by length and store it as bytes.
          if (!payload.data || payload.data.length <= threshold) return payload;
          const key = await store.put(Uint8Array.from(payload.data));
          const metadata: Record<string, Uint8Array> = {
            encoding: text.encode(REFERENCE_ENCODING),
          };
          for (const [name, value] of Object.entries(payload.metadata ?? {})) {
            if (value) metadata[`${ORIGINAL}${name}`] = value;
          }
          return { metadata, data: text.encode(key) };
        }),
      );
    },

    async decode(payloads) {
      return Promise.all(
        payloads.map(async (payload): Promise<Payload> => {
          const encoding = payload.metadata?.encoding;
          if (!encoding || untext.decode(encoding) !== REFERENCE_ENCODING) return payload;
          const metadata: Record<string, Uint8Array> = {};
          for (const [name, value] of Object.entries(payload.metadata ?? {})) {
            if (name.startsWith(ORIGINAL) && value) metadata[name.slice(ORIGINAL.length)] = value;
          }
          const data = await store.get(untext.decode(payload.data ?? new Uint8Array()));
          return { metadata, data };
        }),
      );
    },
  };
}
