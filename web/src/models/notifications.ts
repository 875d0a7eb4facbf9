import { createModel, signal } from "@preact/signals";

type Permission = NotificationPermission | "unsupported";

/** Desktop notifications: permission is asked only from a click, never on load. */
export const NotificationsModel = createModel(() => {
  const supported = typeof Notification !== "undefined";
  const permission = signal<Permission>(supported ? Notification.permission : "unsupported");

  return {
    permission,
    async request() {
      if (!supported) return;
      permission.value = await Notification.requestPermission();
    },
    show(title: string, body: string, tag: string, onClick: () => void) {
      if (permission.value !== "granted") return;
      const notification = new Notification(title, { body, tag });
      notification.onclick = () => {
        focus();
        onClick();
        notification.close();
      };
    },
  };
});

export type Notifications = InstanceType<typeof NotificationsModel>;
