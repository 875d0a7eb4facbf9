import type { SocketState } from "../net/socket";

const LABELS: Record<SocketState, string> = {
  open: "Connected",
  connecting: "Connecting…",
  offline: "Offline",
};

/** The live connection's state, as a dot and a word. */
export function ConnectionStatus({ state, class: className = "" }: { state: SocketState; class?: string }) {
  return (
    <span class={`conn-status conn-status--${state} ${className}`} role="status" data-state={state}>
      <span class="conn-status__dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
