import { createModel, effect, signal } from "@preact/signals";

/** The tab itself: whether the person can see it, and whether another tab took its place. */
export const PageModel = createModel(() => {
  /** Reads are sent and notifications held back only while the person can see the tab. */
  const visible = signal(document.visibilityState === "visible");
  /** A newer tab of this person took this tab's place (4004): nothing here is live any more. */
  const replaced = signal(false);
  /** The open chat has shown what it is (or why it cannot): what a direct link waited for is painted. */
  const chatShown = signal(false);

  effect(() => {
    const onChange = () => {
      visible.value = document.visibilityState === "visible";
    };
    document.addEventListener("visibilitychange", onChange);
    return () => document.removeEventListener("visibilitychange", onChange);
  });

  return { visible, replaced, chatShown };
});

export type Page = InstanceType<typeof PageModel>;
