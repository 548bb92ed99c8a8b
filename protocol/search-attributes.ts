/**
 * Custom search attributes that tasks carry, so the Web UI and visibility queries can
 * filter by them. `ackflow dev` registers them; clusters register them once by hand
 * (docs/operations.md).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  TaskType: defineSearchAttributeKey('TaskType', SearchAttributeType.KEYWORD),
  Tier: defineSearchAttributeKey('Tier', SearchAttributeType.KEYWORD),
  TenantId: defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD),
  ModelId: defineSearchAttributeKey('ModelId', SearchAttributeType.KEYWORD),
  ErrorCode: defineSearchAttributeKey('ErrorCode', SearchAttributeType.KEYWORD),
  QstashMessageId: defineSearchAttributeKey('QstashMessageId', SearchAttributeType.KEYWORD),
  TotalTokens: defineSearchAttributeKey('TotalTokens', SearchAttributeType.INT),
  CostUsd: defineSearchAttributeKey('CostUsd', SearchAttributeType.DOUBLE),
} as const;

/** The type names `temporal server start-dev --search-attribute NAME=Type` takes. */
const CLI_TYPE_NAMES: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
};

export function searchAttributeFlags(): string[] {
  return Object.values(SEARCH_ATTRIBUTES).map((key) => `${key.name}=${CLI_TYPE_NAMES[key.type]}`);
}
