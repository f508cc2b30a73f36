#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader in THIS process, so `npx sertantai …` works without a build step and
// a signal (SIGTERM from a supervisor, SIGINT) reaches the app itself: a wrapper process relaying signals to a child
// can be killed alone and orphan the app, or SIGKILL it when the child is slow to acknowledge (tsx's CLI does that
// after 30 ms), leaving the embedded PostgreSQL running.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
