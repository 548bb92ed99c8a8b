/**
 * Custom search attributes that tasks carry, so the Web UI and visibility queries can
 * filter by them. `ackflow dev` registers them; clusters register them once by hand.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  TaskType: defineSearchAttributeKey('TaskType', SearchAttributeType.KEYWORD),
  Tier: defineSearchAttributeKey('Tier', SearchAttributeType.KEYWORD),
  TenantId: defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD),
  ModelId: defineSearchAttributeKey('ModelId', SearchAttributeType.KEYWORD),
  ErrorCode: defineSearchAttributeKey('ErrorCode', SearchAttributeType.KEYWORD),
  QstashMessageId: defineSearchAttributeKey('QstashMessageId', SearchAttributeType.KEYWORD),
} as const;

/** `NAME=Type` pairs in the form `temporal server start-dev --search-attribute` takes. */
export function searchAttributeFlags(): string[] {
  return Object.values(SEARCH_ATTRIBUTES).map((key) => `${key.name}=Keyword`);
}
