/**
 * The create option of an arena room for one player: it starts when that player is ready, and
 * nobody else can join it. Its own module: the page imports it without the server's room.
 */
export const PLAY_ALONE_OPTION = "alone";
