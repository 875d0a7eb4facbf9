import { createModel, effect, signal } from "@preact/signals";

/** Whether the person can see the tab: reads are sent and notifications held back only then. */
export const PageModel = createModel(() => {
  const visible = signal(document.visibilityState === "visible");

  effect(() => {
    const onChange = () => {
      visible.value = document.visibilityState === "visible";
    };
    document.addEventListener("visibilitychange", onChange);
    return () => document.removeEventListener("visibilitychange", onChange);
  });

  return { visible };
});

export type Page = InstanceType<typeof PageModel>;
