import Foundation
import Galley
import Logging

func loadConfiguration() throws -> GalleyConfiguration {
    try GalleyConfiguration(environment: ProcessInfo.processInfo.environment)
}

func makeLogger(_ configuration: GalleyConfiguration, label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = configuration.logLevel
    return logger
}

func loadMigrations() throws -> [Migration] {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0])
    guard let directory = Migration.locateDirectory(environment: ProcessInfo.processInfo.environment, executable: executable) else {
        throw MigrationError.directoryNotFound
    }
    return try Migration.load(from: directory)
}
