-- hubroute in the inbox: the extension routes a conversation on the set's
-- channel (a chat, or a call that it routes by the channel's hours first).
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (:ch0, 'bench');
