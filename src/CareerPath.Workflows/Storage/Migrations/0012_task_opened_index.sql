-- Open tasks by the moment they were opened: what the program simulator asks after every simulated moment
-- ("which tasks opened since I last looked?"). Without it that question read every task ever opened, so a
-- program's simulation slowed down as its history grew (issue 14).
CREATE INDEX human_task_open_since ON human_task (opened_at) WHERE status = 'Open';
