package io.streamspace.host.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test of a class that starts a host on a new database before each test (the lifecycle and
 * restart tests): its database is a copy of one migrated already ({@link MigratedDatabases}), not
 * an empty one. For a test of what an installed billing plugin does (an update, the watch, a lock
 * held elsewhere, a restart), whose install is only its setting: the install finds billing's
 * schema up to date, as a reinstall after an uninstall that kept the data does, rather than
 * running its 54 migrations again. The tests of a first install or a first start stay unmarked,
 * on an empty database.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface MigratedAlready {}
