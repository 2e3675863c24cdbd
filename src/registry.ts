/** The name and type of one long-lived helper of a feature module (the event feed, the compiler pool). */
export class ServiceKey<T> {
  declare private readonly type: T;
  constructor(readonly name: string) {}
}

/**
 * Long-lived helpers that feature modules start and stop, each under a typed key: what `get`
 * returns is the type its key names, so no reader casts.
 */
export class ServiceRegistry {
  private readonly services = new Map<string, unknown>();

  set<T>(key: ServiceKey<T>, service: T): void {
    this.services.set(key.name, service);
  }

  get<T>(key: ServiceKey<T>): T | undefined {
    return this.services.get(key.name) as T | undefined;
  }

  has(key: ServiceKey<unknown> | string): boolean {
    return this.services.has(typeof key === 'string' ? key : key.name);
  }

  delete(key: ServiceKey<unknown>): void {
    this.services.delete(key.name);
  }
}
