/**
 * The discarding SMTP sink of the dispatch benchmarks in a process of its own (an SMTP server
 * never shares the sender's thread): prints `{"port":…}` once listening, exits when its parent's
 * stdin closes. Usage: `node --import tsx bench/lib/sink-process.ts`.
 */
import { startSink } from './dispatch-fixture';

const sink = await startSink();
console.log(JSON.stringify({ port: sink.port }));
process.stdin.resume();
process.stdin.on('end', () => void sink.close().then(() => process.exit(0)));
