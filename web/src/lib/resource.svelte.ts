// One async value with loading and error state; a new load aborts the one in flight.
import { ApiError } from './api.ts';

export class Resource<T> {
  data = $state<T | undefined>(undefined);
  error = $state<ApiError | undefined>(undefined);
  loading = $state(false);

  #controller: AbortController | undefined;
  #last: ((signal: AbortSignal) => Promise<T>) | undefined;

  load(fetcher: (signal: AbortSignal) => Promise<T>): void {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.#last = fetcher;
    this.loading = true;
    this.error = undefined;
    fetcher(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        this.data = value;
        this.loading = false;
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        this.error = err instanceof ApiError ? err : new ApiError(0, 'client', err instanceof Error ? err.message : String(err));
        this.loading = false;
      },
    );
  }

  retry = (): void => {
    if (this.#last) this.load(this.#last);
  };

  abort(): void {
    this.#controller?.abort();
  }
}
