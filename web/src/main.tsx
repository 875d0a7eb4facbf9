import { render } from "preact";
import { App } from "./components/App";
import { NotificationsModel } from "./models/notifications";
import { browserStorage, OutboxStore } from "./models/outbox-store";
import { SessionModel } from "./models/session";
import "./styles.css";

const storage = browserStorage();
const outboxStore = new OutboxStore(storage);
const session = new SessionModel(outboxStore, storage);
const notifications = new NotificationsModel();
void session.load();

render(
  <App session={session} notifications={notifications} outboxStore={outboxStore} />,
  document.getElementById("app")!,
);
