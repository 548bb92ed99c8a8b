export function judgeAudit(json: string): { code: number; lines: string[] };
