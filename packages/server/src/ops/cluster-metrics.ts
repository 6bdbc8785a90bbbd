/**
 * `/metrics` under `outreach start` / `serve --workers N` (cluster.ts): every child keeps its own
 * registry, so the API child that answers a scrape asks the primary, which gathers every child's
 * registry (prom-client's AggregatorRegistry over the cluster IPC channel) and answers with one
 * text: HTTP counters summed over the API children, the worker child's loop and SMTP counters.
 * Outside a cluster (a single process) the process's own registry is the answer.
 */
import cluster, { type Worker } from 'node:cluster';
import { metricsRegistry } from '@outreach/shared';
import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';

interface MetricsReply {
  outreach: 'metrics-res';
  id: number;
  text?: string;
  error?: string;
}

/** In a child: let the primary collect this process's registry. */
export function shareMetrics(): void {
  AggregatorRegistry.setRegistries([metricsRegistry]);
  new AggregatorRegistry(); // installs the child's answering listener
}

let aggregator: AggregatorRegistry<PrometheusContentType> | undefined;

/** In the primary: answer an API child's request for the whole cluster's metrics. */
export function serveClusterMetrics(child: Worker): void {
  aggregator ??= new AggregatorRegistry();
  const agg = aggregator;
  child.on('message', (m: { outreach?: string; id?: number }) => {
    if (m?.outreach !== 'metrics-req' || typeof m.id !== 'number') return;
    const id = m.id;
    agg.clusterMetrics().then(
      (text: string) => child.isConnected() && child.send({ outreach: 'metrics-res', id, text }),
      (err: Error) => child.isConnected() && child.send({ outreach: 'metrics-res', id, error: err.message }),
    );
  });
}

let nextId = 0;
const pending = new Map<number, (reply: MetricsReply) => void>();
let listening = false;

/** In an API child: the cluster's metrics text (null outside a cluster; throws when it cannot be had). */
export function clusterMetricsText(timeoutMs = 6000): Promise<string | null> {
  if (!cluster.isWorker || !process.send) return Promise.resolve(null);
  if (!listening) {
    listening = true;
    process.on('message', (m: MetricsReply) => {
      if (m?.outreach === 'metrics-res') pending.get(m.id)?.(m);
    });
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary did not answer'));
    }, timeoutMs);
    pending.set(id, (reply) => {
      clearTimeout(timer);
      pending.delete(id);
      if (reply.error !== undefined) reject(new Error(reply.error));
      else resolve(reply.text ?? '');
    });
    process.send!({ outreach: 'metrics-req', id });
  });
}
