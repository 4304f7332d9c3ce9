/** Row types of jobs and endings across instances (migration 0029). */

/** A live session nobody is in, since when (auto-end ends it `emptySessionEndMs` later). */
export interface SessionVacancyRow {
	session_id: string;
	empty_since: number;
}
