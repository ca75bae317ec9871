"""Messages made from ids and parameters, rendered in English and Japanese (``core``), and
their catalogs (``catalog``). Below every other layer but the exceptions: any module may say
something a person reads."""
