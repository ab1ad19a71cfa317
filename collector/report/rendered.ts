/** One weekly report in every form it is delivered in (the files `tierwise report` writes, mail, Gitea). */
export interface RenderedReport {
  title: string;
  week: string;
  html: string;
  markdown: string;
  json: string;
}
