import { Injectable } from '@nestjs/common';
import { NeckHealthDto, NeckStatusDeliveryDto } from '@neck-signal/protocol';

/** The last `neck_status` of each neck connected to this hub, for health and for peers that join later. */
@Injectable()
export class NeckStatusRegistry {
  private readonly statuses = new Map<string, { status: NeckStatusDeliveryDto; updatedAt: string }>();

  set(status: NeckStatusDeliveryDto): void {
    this.statuses.set(status.peerId, { status, updatedAt: new Date().toISOString() });
  }

  remove(peerId: string): void {
    this.statuses.delete(peerId);
  }

  /** The last status of each neck, as it was delivered. */
  latest(): NeckStatusDeliveryDto[] {
    return [...this.statuses.values()].map((entry) => entry.status);
  }

  /** The same, with when each arrived, for health. */
  all(): NeckHealthDto[] {
    return [...this.statuses.values()].map((entry) => ({ ...entry.status, updatedAt: entry.updatedAt }));
  }
}
