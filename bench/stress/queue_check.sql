-- The invariants of SPEC §6 after the stress run, one row each: all must be t.
SELECT 'counts equal the tables' AS invariant, NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS holds
UNION ALL
SELECT 'no item handed out twice from the queue',
       NOT EXISTS (SELECT 1 FROM hubroute.assignments a WHERE a.reason LIKE 'from the queue:%'
                    GROUP BY a.ticket_id, a.at HAVING count(*) > 1)
UNION ALL
SELECT 'every owner is its last logged decision',
       NOT EXISTS (SELECT 1 FROM hubroute.tickets t
                    WHERE t.owner_id IS DISTINCT FROM (SELECT a.user_id FROM hubroute.assignments a
                                                         WHERE a.ticket_id = t.id ORDER BY a.id DESC LIMIT 1))
UNION ALL
SELECT 'no user over capacity through routing',
       NOT EXISTS (SELECT 1 FROM hubroute.users u
                    WHERE u.ticket_capacity < (SELECT count(*) FROM hubroute.tickets t
                                                WHERE t.owner_id = u.id AND t.status = 'open'
                                                  AND (SELECT a.method FROM hubroute.assignments a WHERE a.ticket_id = t.id
                                                        ORDER BY a.id DESC LIMIT 1) <> 'manual'))
UNION ALL
SELECT 'nobody available waits beside room',
       NOT (EXISTS (SELECT 1 FROM hubroute.queue)
            AND EXISTS (SELECT 1 FROM hubroute.users u
                         WHERE u.available AND u.ticket_capacity > (SELECT count(*) FROM hubroute.tickets t
                                                                      WHERE t.owner_id = u.id AND t.status = 'open')));
