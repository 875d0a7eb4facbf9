import { DurableObject } from "cloudflare:workers"; export class ConversationRoom extends DurableObject<Env> {}
