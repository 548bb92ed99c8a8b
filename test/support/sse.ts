/** A small server-sent events reader over fetch, for following a task's event stream. */
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/**
 * Reads events until `stop` returns true for one (or the stream ends), then closes the
 * connection. Comments (keep-alives) are counted but not returned as events.
 */
export async function readEvents(
  url: string,
  stop: (event: SseEvent) => boolean,
  headers: Record<string, string> = {},
  onComment: () => boolean = () => false,
): Promise<{ events: SseEvent[]; comments: number; status: number }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  let comments = 0;
  if (!response.ok || !response.body) return { events, comments, status: response.status };

  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', data: '' };
        const data: string[] = [];
        let stopOnComment = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) {
            comments += 1;
            stopOnComment ||= onComment();
          } else if (line.startsWith('event:')) event.event = line.slice(6).trim();
          else if (line.startsWith('id:')) event.id = line.slice(3).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (stopOnComment) return { events, comments, status: response.status };
        if (data.length === 0) continue;
        event.data = data.join('\n');
        events.push(event);
        if (stop(event)) return { events, comments, status: response.status };
      }
    }
  } finally {
    controller.abort();
  }
  return { events, comments, status: response.status };
}
