-- A thread's replies, found from its root: counted when a reply joins (a thread holds at most
-- 100) and when a page of threads is listed, and read with the page. See docs/workflow.md.
CREATE INDEX comments_thread ON comments (parent_id, created_at, id) WHERE parent_id IS NOT NULL;
