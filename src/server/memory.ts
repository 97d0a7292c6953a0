/**
 * SERVER_SOFT_MEMORY_LIMIT_MB. Under load the gateway's resident memory grows well past what is live
 * (idle ~60 MB, ~95 MB after seconds of 64 concurrent chats): the JS heap stays small (~15 MB), but the
 * native buffers of finished requests and responses are freed only when the collector finalizes them,
 * and its heuristics look at the JS heap. So while the resident size is past the limit, a full
 * collection runs every CHECK_MS (measured at 72 MB: peak ~86 MB instead of ~95, throughput unchanged).
 * Each pauses the server for ~5–20 ms; the time spent in them is capped at about a tenth, and a gateway
 * whose memory is not growing never collects. Off by default: at 72 MB those pauses raised p99 under 64
 * connections from 16–17 ms to 22–26 ms (bench/README.md, "Issue 21: what stands in the way").
 */
const CHECK_MS = 250;
/** After a collection that took t ms, the next waits at least PAUSE_FACTOR × t. */
const PAUSE_FACTOR = 10;
/** A collection runs only once memory has grown this much since the last one. */
const GROWTH_BYTES = 2 * 1024 * 1024;
/** Resident size moving less than this between two looks counts as settled (idle). */
const SETTLED_BYTES = 256 * 1024;

/** Starts watching; returns the stop function. Does nothing for a limit of 0. */
export function keepMemoryNear(limitBytes: number): () => void {
  if (limitBytes <= 0) return () => undefined;
  let notBefore = 0;
  let afterLast = 0;
  let previous = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const rss = process.memoryUsage.rss();
    // Unchanged since the last look: the gateway went idle, a good moment to give memory back.
    const settled = Math.abs(rss - previous) < SETTLED_BYTES;
    previous = rss;
    if (now < notBefore || rss < afterLast + GROWTH_BYTES) return;
    if (rss < limitBytes && !settled) return;
    Bun.gc(true);
    notBefore = now + (performance.now() - now) * PAUSE_FACTOR;
    afterLast = process.memoryUsage.rss();
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
