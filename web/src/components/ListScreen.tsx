/**
 * The list's chunk: the rail, the Header, the list of connections and the search. On `/` it comes
 * with the signed-in screen; on `/c/<id>` right after the chat is on screen (ChatScreen.tsx).
 */
import "../list.css";

export { SearchModel } from "../models/search";
export { Header } from "./Header";
export { ListOfConnections } from "./ListOfConnections";
export { SearchResults } from "./SearchResults";
export { AccountActions, Sidebar } from "./Sidebar";
