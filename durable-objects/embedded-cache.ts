import { DurableObject } from "cloudflare:workers"; export class EmbeddedCache extends DurableObject<Env> {}
