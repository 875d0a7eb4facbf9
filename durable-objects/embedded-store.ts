import { DurableObject } from "cloudflare:workers"; export class EmbeddedStore extends DurableObject<Env> {}
