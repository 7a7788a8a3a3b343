/**
 * The words and numbers of a download's progress notification: bytes so far and in all, percent, speed,
 * time left and the file being fetched, plus the increments VS Code's progress bar wants (it adds each
 * report's increment to what it already shows, so the caller must send differences, never totals). Pure.
 */
import path from 'node:path';
import type { DownloadProgress } from '../engine/hub/download';
import { formatBytes } from '../engine/hub/requirements';

export { formatBytes };

/** "4.2 MiB/s"; nothing measured yet reads as "starting". */
export function formatSpeed(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return 'starting';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** "12 s", "3 min", "1 h 5 min": a rough figure, since the speed varies. */
export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Whole percent, never 100 before the last byte (a rounded "100%" that keeps going reads as stuck). */
export function formatPercent(bytes: number, totalBytes: number): string {
  if (totalBytes <= 0 || bytes >= totalBytes) return '100%';
  return `${Math.min(99, Math.floor((100 * bytes) / totalBytes))}%`;
}

/** "12.0 MiB of 523.3 MiB (2%), 4.2 MiB/s, about 2 min left: model.safetensors". */
export function progressMessage(p: DownloadProgress): string {
  const amount = `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} (${formatPercent(p.bytes, p.totalBytes)})`;
  const left = p.bytesPerSecond > 0 && p.totalBytes > p.bytes ? `, about ${formatDuration((p.totalBytes - p.bytes) / p.bytesPerSecond)} left` : '';
  return `${amount}, ${formatSpeed(p.bytesPerSecond)}${left}: ${path.posix.basename(p.file)}`;
}

export interface ProgressStep {
  message: string;
  /** Percent to add to the bar since the previous step (VS Code's progress increments add up to 100). */
  increment: number;
}

/** Turns the downloader's running totals into VS Code's progress steps. */
export class ProgressSteps {
  private shown = 0;

  next(p: DownloadProgress): ProgressStep {
    const percent = Math.min(100, Math.max(0, p.percent));
    // A file restarted from zero (the server ignored a Range request) moves the total back: the bar waits.
    const increment = Math.max(0, percent - this.shown);
    this.shown += increment;
    return { message: progressMessage(p), increment };
  }
}

/** "stories260K (1.0 MiB)" for a notification title. */
export function downloadTitle(name: string, bytes: number | undefined): string {
  return bytes !== undefined && bytes > 0 ? `${name} (${formatBytes(bytes)})` : name;
}
