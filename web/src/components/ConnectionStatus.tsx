import type { SocketState } from "../net/socket";

const LABELS: Record<SocketState, string> = {
  open: "Connected",
  connecting: "Connecting…",
  offline: "You are offline",
};

/** The person's own live connection, as a dot and words that say whose it is. */
export function ConnectionStatus({
  state,
  class: className = "",
  label,
}: {
  state: SocketState;
  class?: string;
  label?: string;
}) {
  return (
    <span class={`conn-status conn-status--${state} ${className}`} role="status" data-state={state}>
      <span class="conn-status__dot" aria-hidden="true" />
      {label ?? LABELS[state]}
    </span>
  );
}
