import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { OrmCapture } from './orm-capture.js';
import { RenderCapture, runCaptured } from './render-capture.js';
import type { CapturedDependencies } from './render-dependencies.js';

/**
 * `dependencies: 'auto'` for the HTTP side: starts and finishes the capture of one render's
 * MikroORM reads. Active once the ORM side has installed its capture on the app's MikroORM
 * instances (only when some route or the module asks for automatic dependencies).
 */
@Injectable()
export class DependencyTracking {
  private captures: readonly OrmCapture[] = [];
  private guard: readonly string[] = [];

  /** Whether renders in auto mode are captured (an ORM is watched, and auto mode is used). */
  get active(): boolean {
    return this.captures.length > 0;
  }

  /** Called by the ORM side once the captures are installed. */
  attach(captures: readonly OrmCapture[]): void {
    this.captures = captures;
    this.guard = [...new Set(captures.flatMap((capture) => capture.guardKeys()))];
  }

  /** Stops the captures (the app closes); renders after this are not captured. */
  dispose(): void {
    for (const capture of this.captures) capture.dispose();
    this.captures = [];
  }

  /** The keys whose epochs a render reads as it starts, and checks before its page is stored. */
  guardKeys(): readonly string[] {
    return this.guard;
  }

  /** A render starting now, in the request's MikroORM context (its entity managers are watched). */
  begin(): RenderCapture {
    const render = new RenderCapture(new Set(this.captures));
    for (const capture of this.captures) {
      const em = capture.contextEntityManager();
      if (em) render.entityManagers.add(em);
    }
    return render;
  }

  /**
   * The handler's observable, made (`handle`: `() => next.handle()`) and subscribed to inside the
   * capture of `render`: Nest binds the handler to the async context `next.handle()` is called in.
   */
  observe<T>(render: RenderCapture, handle: () => Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => runCaptured(render, () => handle().subscribe(subscriber)));
  }

  /** What the finished render depends on, its identity maps included. */
  finish(render: RenderCapture): CapturedDependencies {
    for (const capture of this.captures) capture.finishRender(render);
    return render.deps.finish();
  }
}
