import { render } from "preact";
import { App } from "./components/App";
import { NotificationsModel } from "./models/notifications";
import { browserStorage, OutboxStore } from "./models/outbox-store";
import { SessionModel } from "./models/session";
import "./styles.css";

const outboxStore = new OutboxStore(browserStorage());
const session = new SessionModel(outboxStore);
const notifications = new NotificationsModel();
void session.load();

render(
  <App session={session} notifications={notifications} outboxStore={outboxStore} />,
  document.getElementById("app")!,
);
