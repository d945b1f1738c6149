/** What the browser did with a request. */
export type Outcome = "allowed" | "blocked" | "unreachable" | "timeout" | "invalid";

/** fetch()'s credentials mode. */
export type Credentials = "omit" | "same-origin" | "include";

/** An expectation: an outcome name, or details (a status or readable headers imply "allowed", a reason "blocked"). */
export type Expectation =
  | Outcome
  | {
      outcome?: Outcome;
      status?: number;
      /** Chromium's corsError name, e.g. "WildcardOriginNotAllowed". */
      reason?: string;
      /** Response headers JavaScript must be able to read. */
      readable_headers?: string[];
    };

/** One request of a suite. */
export interface Case {
  id: string;
  /** Absolute http(s) URL; a relative URL is reported as invalid. */
  url: string;
  /** Default "GET". */
  method?: string;
  headers?: Record<string, string>;
  credentials?: Credentials;
  body?: string;
  timeout_ms?: number;
  /** Add a unique query parameter so the preflight cache cannot decide (default true). */
  cache_bust?: boolean;
  expect?: Expectation;
  description?: string;
}

/** Settings every case inherits. */
export interface Defaults {
  timeout_ms?: number;
  credentials?: Credentials;
  cache_bust?: boolean;
  headers?: Record<string, string>;
}

/** A suite file. */
export interface Suite {
  $schema?: string;
  name?: string;
  description?: string;
  defaults?: Defaults;
  /** Cases in flight at once (default 1: one at a time, in file order). */
  concurrency?: number;
  cases: Case[];
}

/** A JavaScript error as fetch() (or the harness) gave it. */
export interface ErrorInfo {
  name: string;
  message: string;
}

/** One case's result. */
export interface CaseResult {
  id: string;
  /** The normalised method sent. */
  method: string;
  /** The URL fetched, cache-busting parameter included. */
  url: string;
  outcome: Outcome;
  status: number | null;
  /** Every response header JavaScript can read, lower-case names. */
  headers: Record<string, string> | null;
  /** The first 300 characters of the body. */
  body: string | null;
  redirected: boolean | null;
  final_url: string | null;
  /** Whether the browser had to send a preflight; null when nothing was sent. */
  preflight: boolean | null;
  /** Forbidden headers the browser silently dropped (lower-case). */
  dropped_headers: string[];
  /** Chromium's corsError name for a blocked request, when known. */
  reason: string | null;
  reason_source: "browser" | "harness" | null;
  /** The header value, method or header name the reason is about, when known. */
  failed_parameter: string | null;
  error: ErrorInfo | null;
  elapsed_ms: number;
  expect: Expectation | null;
  /** Whether the expectation held; null without one. */
  pass: boolean | null;
  /** Why the expectation failed. */
  why: string | null;
}

/** Counts per outcome and per verdict. */
export interface Summary {
  allowed: number;
  blocked: number;
  unreachable: number;
  timeout: number;
  invalid: number;
  passed: number;
  failed: number;
}

/** A whole run. */
export interface SuiteReport {
  suite: string;
  /** The origin of the page the requests came from. */
  origin: string;
  /** e.g. "Chromium 156.0.8078.79". */
  browser: string;
  results: CaseResult[];
  summary: Summary;
  /** Present (true) when the run was stopped before every case ran. */
  stopped?: boolean;
}

/** Passed to onProgress after each case. */
export interface Progress {
  done: number;
  total: number;
  /** Position of the case in the suite. */
  index: number;
  result: CaseResult;
}

export interface RunSuiteOptions {
  onProgress?: (progress: Progress) => void;
  /** Overrides the suite's concurrency. */
  concurrency?: number;
  /** Aborting it stops the run before the next case starts; cases in flight finish. */
  signal?: AbortSignal;
}

/** A problem in a suite, naming the case and the field. */
export interface SuiteProblem {
  index: number | null;
  id: string | null;
  field: string | null;
  message: string;
}
