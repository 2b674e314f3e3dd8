/**
 * A channel's command menu per person: on Telegram, secretaries see /hop and /diemdanh in their own private
 * chat (a chat-scoped setMyCommands), everyone else the members' menu. Services and handlers call `refresh`
 * after a person's roles may have changed (linking an account, a roster import); the composition root binds
 * it to the Telegram bot, and without one it does nothing.
 */
export interface CommandMenus {
  refresh(personIds: readonly string[]): Promise<void>;
}

export class CommandMenusPort implements CommandMenus {
  private target: CommandMenus | undefined;

  bind(target: CommandMenus): void {
    this.target = target;
  }

  async refresh(personIds: readonly string[]): Promise<void> {
    if (personIds.length) await this.target?.refresh(personIds);
  }
}
