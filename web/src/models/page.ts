import { signal } from "@preact/signals";

/** Whether the person can see the tab: reads are sent and notifications held back only then. */
export const pageVisible = signal(document.visibilityState === "visible");

document.addEventListener("visibilitychange", () => {
  pageVisible.value = document.visibilityState === "visible";
});
