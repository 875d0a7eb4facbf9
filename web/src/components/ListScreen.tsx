/**
 * The list's chunk: the rail, the Header, the list of connections and the search (its results are
 * a chunk of their own, fetched when the search opens). On `/` it comes
 * with the signed-in screen; on `/c/<id>` right after the chat is on screen (ChatScreen.tsx).
 */
import "../list.css";

export { ConnectionsModel } from "../models/connections";
export { SearchModel } from "../models/search";
export { Header } from "./Header";
export { ListOfConnections } from "./ListOfConnections";
export { AccountActions, Sidebar } from "./Sidebar";
