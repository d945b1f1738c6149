import type { ProbeEndpoint, Suite, SuiteReport, Progress } from "./cors_harness.js";

/** `<cors-harness-panel suite-url="/cors-suite.json" [collapsed] [autorun] [concurrency="4"] [theme="light|dark"]>` */
export declare class CorsHarnessPanel extends HTMLElement {
  /** The suite; setting it (an object or JSON text) shows its cases. */
  get suite(): Suite | null;
  set suite(value: Suite | string);
  /** The last report, or null. */
  get report(): SuiteReport | null;
  /** A probe endpoint on the host's origin, for exact reasons. */
  get probeEndpoint(): ProbeEndpoint | undefined;
  set probeEndpoint(value: ProbeEndpoint | undefined);
  get collapsed(): boolean;
  set collapsed(value: boolean);
  /** Runs the suite; resolves with the report. */
  run(): Promise<SuiteReport>;
  /** Stops the run before the next case starts. */
  stop(): void;
  addEventListener(type: "cors-harness-progress", listener: (event: CustomEvent<Progress>) => void): void;
  addEventListener(type: "cors-harness-done", listener: (event: CustomEvent<SuiteReport>) => void): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject): void;
}

export interface MountPanelOptions {
  suite?: Suite | string;
  suiteUrl?: string;
  collapsed?: boolean;
  /** Run as soon as the suite is loaded. */
  autorun?: boolean;
  concurrency?: number;
  /** Default: the host page's colour scheme. */
  theme?: "light" | "dark";
  probeEndpoint?: ProbeEndpoint;
}

/** Mounts a panel into `element` and returns it. */
export declare function mountPanel(element: Element, options?: MountPanelOptions): CorsHarnessPanel;

declare global {
  interface HTMLElementTagNameMap {
    "cors-harness-panel": CorsHarnessPanel;
  }
}
