/** What the browser did with a request. */
export type Outcome = "allowed" | "blocked" | "unreachable" | "timeout" | "invalid";

/** Chromium's name for a CORS (or Local Network Access) failure: DevTools' Network.CorsError. */
export type CorsError =
  | "DisallowedByMode"
  | "InvalidResponse"
  | "WildcardOriginNotAllowed"
  | "MissingAllowOriginHeader"
  | "MultipleAllowOriginValues"
  | "InvalidAllowOriginValue"
  | "AllowOriginMismatch"
  | "InvalidAllowCredentials"
  | "CorsDisabledScheme"
  | "PreflightInvalidStatus"
  | "PreflightDisallowedRedirect"
  | "PreflightWildcardOriginNotAllowed"
  | "PreflightMissingAllowOriginHeader"
  | "PreflightMultipleAllowOriginValues"
  | "PreflightInvalidAllowOriginValue"
  | "PreflightAllowOriginMismatch"
  | "PreflightInvalidAllowCredentials"
  | "PreflightMissingAllowExternal"
  | "PreflightInvalidAllowExternal"
  | "PreflightMissingAllowPrivateNetwork"
  | "PreflightInvalidAllowPrivateNetwork"
  | "InvalidAllowMethodsPreflightResponse"
  | "InvalidAllowHeadersPreflightResponse"
  | "MethodDisallowedByPreflightResponse"
  | "HeaderDisallowedByPreflightResponse"
  | "RedirectContainsCredentials"
  | "InsecurePrivateNetwork"
  | "InvalidPrivateNetworkAccess"
  | "UnexpectedPrivateNetworkAccess"
  | "NoCorsRedirectModeNotFollow"
  | "PreflightMissingPrivateNetworkAccessId"
  | "PreflightMissingPrivateNetworkAccessName"
  | "PrivateNetworkAccessPermissionUnavailable"
  | "PrivateNetworkAccessPermissionDenied"
  | "LocalNetworkAccessPermissionDenied"
  | "InsecureLocalNetwork"
  | "InvalidLocalNetworkAccess";

/** Chromium's name for a request refused by another policy: DevTools' Network.BlockedReason. */
export type BlockedReason =
  | "other"
  | "csp"
  | "mixed-content"
  | "origin"
  | "inspector"
  | "integrity"
  | "subresource-filter"
  | "content-type"
  | "coep-frame-resource-needs-coep-header"
  | "coop-sandboxed-iframe-cannot-navigate-to-coop-page"
  | "corp-not-same-origin"
  | "corp-not-same-origin-after-defaulted-to-same-origin-by-coep"
  | "corp-not-same-origin-after-defaulted-to-same-origin-by-dip"
  | "corp-not-same-origin-after-defaulted-to-same-origin-by-coep-and-dip"
  | "corp-not-same-site"
  | "sri-message-signature-mismatch";

/** A result's reason: a known name, or a newer browser's name kept verbatim. Suites may expect known names only. */
export type Reason = CorsError | BlockedReason | (string & {});

/** Firefox's key for a CORS failure (security.properties). */
export type FirefoxKey =
  | "CORSDisabled"
  | "CORSDidNotSucceed2"
  | "CORSOriginHeaderNotAdded"
  | "CORSExternalRedirectNotAllowed"
  | "CORSRequestNotHttp"
  | "CORSMissingAllowOrigin2"
  | "CORSMultipleAllowOriginNotAllowed"
  | "CORSAllowOriginNotMatchingOrigin"
  | "CORSNotSupportingCredentials"
  | "CORSMethodNotFound"
  | "CORSMissingAllowCredentials"
  | "CORSPreflightDidNotSucceed3"
  | "CORSInvalidAllowMethod"
  | "CORSInvalidAllowHeader"
  | "CORSMissingAllowHeaderFromPreflight2";

/** What a warning is about. */
export type WarningCode =
  | "wildcard-origin"
  | "authorization-via-wildcard"
  | "missing-vary-origin"
  | "max-age-capped"
  | "cross-origin-isolated"
  /** CORS allowed a credentials: "include" request, but it carried no cookie (withheld or not stored, with the reasons). */
  | "credentialed-without-cookie";

/** A network error as Chromium names it, e.g. "net::ERR_CERT_AUTHORITY_INVALID" (harness detail in parentheses). */
export type NetError = string;

/** fetch()'s credentials mode. */
export type Credentials = "omit" | "same-origin" | "include";

/** An expectation: an outcome name, or details (a status or readable headers imply "allowed", a reason "blocked"). */
export type Expectation =
  | Outcome
  | {
      outcome?: Outcome;
      status?: number;
      /** Chromium's name for the reason, e.g. "WildcardOriginNotAllowed" or "mixed-content". */
      reason?: CorsError | BlockedReason;
      /** Response headers JavaScript must be able to read. */
      readable_headers?: string[];
      /** Cookies the browser must send with the request (alone, they imply "allowed"). */
      cookies_sent?: string[];
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
  /** Find out why a blocked request was blocked, with extra requests (default true). */
  diagnose?: boolean;
  expect?: Expectation;
  description?: string;
}

/** Settings every case inherits. */
export interface Defaults {
  timeout_ms?: number;
  credentials?: Credentials;
  cache_bust?: boolean;
  diagnose?: boolean;
  /** Let the diagnosis repeat methods other than GET, HEAD and OPTIONS (default false). */
  replay_unsafe?: boolean;
  headers?: Record<string, string>;
}

/** A suite file. */
export interface Suite {
  /** The same as `defaults.replay_unsafe`. */
  replay_unsafe?: boolean;
  $schema?: string;
  name?: string;
  description?: string;
  defaults?: Defaults;
  /** Cases in flight at once (default 1: one at a time, in file order). */
  concurrency?: number;
  /** The page origin the runner serves the page as; `import` sets the recording's page. Joins `origins`. */
  origin?: string;
  /** Page origins the runner serves the page as (`https://app.example.com`, `null`), each its own run. */
  origins?: string[];
  /** Cookies the browser holds before the suite runs. */
  cookies?: PresetCookie[];
  cases: Case[];
}

/** A cookie the browser holds before a suite runs. */
export interface PresetCookie {
  /** The URL the cookie is set for. */
  url: string;
  name: string;
  value: string;
  same_site?: "Strict" | "Lax" | "None";
  secure?: boolean;
  http_only?: boolean;
  partitioned?: boolean;
}

/** A JavaScript error as fetch() (or the harness) gave it. */
export interface ErrorInfo {
  name: string;
  message: string;
}

/** One message of an exchange, as on the wire. */
export interface WireRequest {
  kind: "preflight" | "actual";
  method: string;
  url: string;
  /** Header lines in order: [name, value]. */
  headers: [string, string][];
  body: string | null;
}

export interface WireResponse {
  status: number;
  /** Header lines in order; a header sent twice appears twice. */
  headers: [string, string][];
}

/** One request of an exchange and what came back (a response, or a network error). */
export interface Step {
  request: WireRequest;
  response: WireResponse | null;
  error: NetError | null;
}

/** Every step of one fetch(): preflights, the request, each redirect hop. */
export interface Exchange {
  steps: Step[];
}

/** Which response failed: the preflight before hop N, the actual response after N redirects, or redirect N. */
export interface FailedResponse {
  kind: "preflight" | "actual" | "redirect";
  hop: number;
}

/** A configuration snippet for one stack. */
export interface Snippet {
  stack: "serverless" | "tower-http" | "express" | "starlette";
  code: string;
}

/** What the server must send instead. */
export interface Fix {
  summary: string;
  /** Headers the failing response must carry: [name, value]. */
  send: [string, string][];
  /** What to stop sending or doing. */
  stop: string[];
  snippets: Snippet[];
}

export type ReasonFamily = "origin" | "credentials" | "preflight" | "method" | "header" | "redirect" | "local-network" | "other";

/** The harness's own account of a blocked request. */
export interface Diagnosis {
  /**
   * "observed": the runner read the browser's own exchange from its network events (nothing
   * repeated); "exchange": the probe endpoint replayed it; "differential": retries in the page;
   * "rule": decided before any request (mixed content); "not_repeated": a method that may change
   * data, not replayed.
   */
  method: "observed" | "exchange" | "differential" | "rule" | "not_repeated";
  confidence: "exact" | "likely" | "family";
  family: ReasonFamily;
  reason: CorsError | null;
  firefox_reason: FirefoxKey | null;
  failed_parameter: string | null;
  failed_response: FailedResponse | null;
  fix: Fix | null;
  note: string;
}

/** Fragile configuration in an allowed exchange. */
export interface Warning {
  code: WarningCode;
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
  /** Chromium's name for why a blocked request was blocked (corsError, or blockedReason such as "mixed-content"), when known. */
  reason: Reason | null;
  reason_source: "browser" | "harness" | null;
  /** The header value, method or header name the reason is about, when known. */
  failed_parameter: string | null;
  /** The key Firefox logs for the failure, e.g. "CORSNotSupportingCredentials". */
  firefox_reason: FirefoxKey | null;
  /** The browser's own word (Chromium's reason or Firefox's key), when the runner has it. */
  browser_reason: Reason | FirefoxKey | null;
  /** The harness's reason (Chromium's vocabulary), whatever the browser says. */
  harness_reason: CorsError | null;
  /** Set when browser and harness disagree. */
  disagreement: string | null;
  diagnosis: Diagnosis | null;
  warnings: Warning[];
  /** The raw exchange, when the probe endpoint replayed it. */
  exchange: Exchange | null;
  /** Whose exchange it is: "browser" (its own network events, under the runner) or "harness" (the probe endpoint's replay). */
  exchange_source?: "browser" | "harness";
  error: ErrorInfo | null;
  /** Unreachable only: the network error the browser's log or the replay named (a refused certificate: "net::ERR_CERT_..."). */
  network_error?: NetError;
  elapsed_ms: number;
  expect: Expectation | null;
  /** Whether the expectation held; null without one. */
  pass: boolean | null;
  /** Why the expectation failed. */
  why: string | null;
  /** Cookies sent, withheld and not stored (results with a request on the wire). */
  cookies?: CookieReport;
}

/** DevTools' `CookieBlockedReason` and `SetCookieBlockedReason` names (a newer browser's name is kept verbatim). */
export type CookieBlock =
  | "SecureOnly" | "NotOnPath" | "DomainMismatch" | "SameSiteStrict" | "SameSiteLax"
  | "SameSiteUnspecifiedTreatedAsLax" | "SameSiteNoneInsecure" | "UserPreferences"
  | "ThirdPartyPhaseout" | "ThirdPartyBlockedInFirstPartySet" | "UnknownError"
  | "SchemefulSameSiteStrict" | "SchemefulSameSiteLax" | "SchemefulSameSiteUnspecifiedTreatedAsLax"
  | "SamePartyFromCrossPartyContext" | "SamePartyConflictsWithOtherAttributes"
  | "NameValuePairExceedsMaxSize" | "PortMismatch" | "SchemeMismatch" | "AnonymousContext"
  | "SyntaxError" | "SchemeNotSupported" | "OverwriteSecure" | "InvalidDomain" | "InvalidPrefix"
  | "DisallowedCharacter" | "NoCookieContent";

/** A cookie withheld or not stored, and why (`reason` is the first of `reasons`). */
export interface BlockedCookie {
  name: string;
  reason: CookieBlock | (string & {});
  /** Every reason, when the browser gave several. */
  reasons?: (CookieBlock | (string & {}))[];
}

/** What happened to cookies in one case's exchange. */
export interface CookieReport {
  /** Names of the cookies the browser attached to the request. */
  sent: string[];
  /** Cookies it held for the URL and did not send. */
  withheld: BlockedCookie[];
  /** Cookies of the response's Set-Cookie lines it refused to store. */
  not_stored: BlockedCookie[];
  /** The browser itself (Chromium's DevTools), or the harness's inference. */
  source: "browser" | "harness";
  /** The harness inferred (some of) it: likely, not certain. */
  likely?: boolean;
  /** Where the harness's inference differs from the browser's report. */
  disagreement?: string;
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
  /** Was the page a secure context (`window.isSecureContext`)? */
  secure_context?: boolean;
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
  /** A probe endpoint on the page's own origin (`cors-harness serve`/`run` offer one): exact reasons and warnings. */
  probeEndpoint?: ProbeEndpoint;
  /**
   * Set by `cors-harness run`, which reads each request's exchange from the browser's own
   * network events (DevTools, WebDriver BiDi): the page then repeats nothing (no replay,
   * no retries, no reachability probes) and leaves reasons to the runner.
   */
  observedByRunner?: boolean;
}

export interface RunCaseOptions {
  probeEndpoint?: ProbeEndpoint;
}

/** Where the page's server replays exchanges; the secret comes with the page. */
export interface ProbeEndpoint {
  url: string;
  secret: string;
}

/** A problem in a suite, naming the case and the field. */
export interface SuiteProblem {
  index: number | null;
  id: string | null;
  field: string | null;
  message: string;
}

/** What `importRequests` reads: a HAR file, "Copy as cURL" commands or "Copy as fetch" calls. */
export type ImportSource = "har" | "curl" | "fetch";

export interface ImportOptions {
  /** Default: told from the text's first characters. */
  from?: ImportSource;
}

/** What the import dropped, inferred or left out, and why. */
export interface ImportNote {
  level: "info" | "warning" | "error";
  message: string;
  /** The id of the case it concerns. */
  case?: string;
  /** The HAR entry (`log.entries[N]`) it concerns. */
  entry?: number;
  /** The 1-based line of the pasted text it concerns. */
  line?: number;
}

export interface ImportResult {
  suite: Suite;
  notes: ImportNote[];
}
