// The part of autocannon 9's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }
    interface Options {
      url: string;
      connections?: number;
      amount?: number;
      duration?: number;
      method?: string;
      requests?: { setupRequest?: (req: Request) => Request }[];
    }
    interface Histogram {
      p50: number;
      p90: number;
      p99: number;
      average: number;
      max: number;
    }
    interface Result {
      latency: Histogram;
      requests: Histogram & { total: number };
      non2xx: number;
      errors: number;
      timeouts: number;
    }
  }
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result>;
  /** With a callback: returns the run's tracker, which emits 'response' for every answer. */
  function autocannon(
    opts: autocannon.Options,
    done: (error: Error | null, result: autocannon.Result) => void,
  ): import('node:events').EventEmitter;
  export default autocannon;
}
